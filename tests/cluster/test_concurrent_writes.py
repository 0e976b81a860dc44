"""Two concurrent writes asking for the same nodePort or clusterIP: exactly one wins, on SQLite
and on PostgreSQL, and the guarantee is a database constraint. Two concurrent readiness toggles
both count."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from cluster.models import NodePortAllocation

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _race(database_url: str, script: str = "tests.cluster.race") -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def _assert_one_winner(outcomes: dict) -> None:
    assert outcomes["nodePort"].count("created") == 1
    loser = next(o for o in outcomes["nodePort"] if o != "created")
    assert loser.endswith("spec.ports[0].nodePort: Invalid value: 30123: provided port is already allocated")
    assert outcomes["clusterIP"].count("created") == 1
    loser = next(o for o in outcomes["clusterIP"] if o != "created")
    assert loser.endswith("failed to allocate IP 10.96.0.50: provided IP is already allocated")


def test_race_on_sqlite(tmp_path):
    _assert_one_winner(_race(f"sqlite:///{tmp_path / 'race.sqlite3'}"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres():
    """A throwaway PostgreSQL server on loopback, run as the postgres user."""
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.fail("PostgreSQL 15 is needed: apt-get install postgresql")
    data = Path(tempfile.mkdtemp(prefix="servicescope-pg-"))  # outside root-only pytest dirs
    shutil.chown(data, "postgres")
    port = _free_port()

    def as_postgres(*args):
        subprocess.run(["runuser", "-u", "postgres", "--", *map(str, args)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)

    as_postgres(PG_BIN / "initdb", "-D", data / "db", "-A", "trust", "-U", "postgres")
    # -l: the server must not inherit our pipes, or waiting for pg_ctl would never end.
    as_postgres(PG_BIN / "pg_ctl", "-D", data / "db", "-l", data / "server.log", "-o",
                f"-p {port} -c listen_addresses=127.0.0.1 -k {data}", "-w", "start")
    as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "race")
    yield f"postgres://postgres@127.0.0.1:{port}/race"
    as_postgres(PG_BIN / "pg_ctl", "-D", data / "db", "-m", "fast", "-w", "stop")
    shutil.rmtree(data, ignore_errors=True)


def test_race_on_postgres(postgres):
    _assert_one_winner(_race(postgres))


def _assert_both_toggles_count(outcome: dict) -> None:
    assert outcome["before"] is True
    assert outcome["after"] is True, "one of two concurrent toggles was lost"
    assert [m.split(" ", 1)[1] for m in outcome["messages"]] == ["marked Ready", "marked not Ready"]


def test_two_readiness_toggles_at_once_on_sqlite(tmp_path):
    _assert_both_toggles_count(_race(f"sqlite:///{tmp_path / 'race.sqlite3'}", "tests.cluster.race_readiness"))


def test_two_readiness_toggles_at_once_on_postgres(postgres):
    _assert_both_toggles_count(_race(postgres, "tests.cluster.race_readiness"))


def test_the_database_refuses_a_second_reservation(empty):
    NodePortAllocation.objects.create(cluster=empty, port=31000, service_uid="00000000-0000-0000-0000-000000000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        NodePortAllocation.objects.create(cluster=empty, port=31000,
                                          service_uid="00000000-0000-0000-0000-000000000002")
