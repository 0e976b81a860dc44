"""Rate counters in Redis (REDIS_URL set) are shared: what one process counted, another sees."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.cache import caches
from django.test import override_settings

from tests.visualizer.test_consumer_redis import redis_url  # noqa: F401 (the throwaway redis-server)
from visualizer.ratelimit import hit

ROOT = Path(__file__).resolve().parents[2]
OTHER_PROCESS = """
import django
django.setup()
from visualizer.ratelimit import hit
print(hit("shared-visitor", 3, 3600))
"""


def test_another_process_sees_the_count(redis_url):  # noqa: F811
    ratelimit = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                 "KEY_PREFIX": "servicescope"}
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                                   "ratelimit": ratelimit}):
        caches["ratelimit"].clear()
        assert [hit("shared-visitor", 3, 3600) for _ in range(3)] == [None, None, None]
        env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "visualizer.settings",
               "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", OTHER_PROCESS], env=env, cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
        assert out.isdigit() and 1 <= int(out) <= 3600  # refused there: the fourth of the hour
        assert hit("shared-visitor", 3, 3600) is not None
