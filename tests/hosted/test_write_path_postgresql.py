"""The write path's SQL on PostgreSQL, the hosted site's engine: the tests of the delta controllers,
the index columns and queries, concurrent writes, verbs, quotas and the endpoint cache run again in
a pytest of their own whose database is a throwaway PostgreSQL (pytest-django makes its test
database there), as do the reads that must see one resourceVersion. The rest of the suite runs them on SQLite."""

import os
import re
import shutil
import subprocess
import sys

from tests.hosted.processes import ROOT, Postgres

SUITES = [
    "tests/cluster/test_store_narrow_reads.py",  # delta writes == full recompute (hypothesis)
    "tests/cluster/test_endpointslices_db.py",
    "tests/cluster/test_endpointslice_write_order.py",
    "tests/cluster/test_concurrent_writes.py",
    "tests/cluster/test_verbs.py",
    "tests/cluster/test_quota.py",
    "tests/cluster/test_allocation_db.py",
    "tests/cluster/test_event_log_and_cleanup.py",
    "tests/cluster/test_endpoint_cache.py",
    "tests/cluster/test_reads_at_one_version.py",  # a list's objects are at its resourceVersion
]


def test_the_write_path_suites_pass_on_postgresql(tmp_path):
    postgres = Postgres(tmp_path)
    try:
        env = {**os.environ, "DATABASE_URL": postgres.url, "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    finally:
        postgres.stop()
        shutil.rmtree(postgres.dir, ignore_errors=True)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 60 and "failed" not in summary and "error" not in summary, summary
