"""Shared fixtures: sandboxes and the personas who use them.

- `owner_client` owns the `kubia` sandbox (its session claimed it through the `?token=` link);
- `viewer_client` has only the watch link (`viewer_client.watch_url`);
- `stranger_client` owns another sandbox (`other`) and nothing of `kubia`.

The test client does not enforce CSRF; tests of CSRF build their own `Client(enforce_csrf_checks=True)`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from cluster.models import Cluster
from cluster.services.sandboxes import cluster_create
from tests.hosted.processes import Backing

HOSTED_HELP = ("run the suites that serve with a real Daphne again, as the hosted site runs: two Daphne "
               "processes on a PostgreSQL and a Redis started here, clients alternating between them; "
               "every other test is deselected")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--hosted", action="store_true", help=HOSTED_HELP)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --hosted, keep only the tests whose server comes from `hosted_backing`."""
    if not config.getoption("--hosted"):
        return
    serving = ["hosted_backing" in getattr(item, "fixturenames", ()) for item in items]
    config.hook.pytest_deselected(items=[item for item, kept in zip(items, serving, strict=True) if not kept])
    items[:] = [item for item, kept in zip(items, serving, strict=True) if kept]


@pytest.fixture(scope="session")
def hosted_backing(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backing | None]:
    """PostgreSQL and Redis under --hosted (server fixtures then start two Daphne processes on them),
    else None (server fixtures start one Daphne on a SQLite file)."""
    if not request.config.getoption("--hosted"):
        yield None
        return
    backing = Backing(tmp_path_factory.mktemp("hosted-backing"))
    try:
        yield backing
    finally:
        backing.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Several people run parts of the suite at once on one checkout: each run gets its own SQLite
    test file (a forked Daphne of the browser tests inherits the name)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and os.environ.get("SERVICESCOPE_SHARED_TEST_DB") != "1":
        db.setdefault("TEST", {})["NAME"] = str(Path(tempfile.gettempdir()) / f"servicescope_test_{os.getpid()}.sqlite3")


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    """Rate-limit counters live in this process's memory (no REDIS_URL): each test starts at zero."""
    from django.core.cache import caches

    counters = caches["ratelimit"]
    if type(counters).__name__ == "LocMemCache":
        counters.clear()


@pytest.fixture
def kubia(db) -> Cluster:
    return cluster_create(preset="kubia", seed=1)


@pytest.fixture
def other(db) -> Cluster:
    """Somebody else's sandbox."""
    return cluster_create(preset="empty", seed=2)


def client_owning(cluster: Cluster) -> Client:
    client = Client()
    url = reverse("sandbox", kwargs={"cluster_id": cluster.pk})
    response = client.get(url, {"token": cluster.access_token})
    assert response.status_code == 302, response
    return client


@pytest.fixture
def client_for(db) -> Callable[[Cluster], Client]:
    """A fresh Client whose session owns the given sandbox."""
    return client_owning


@pytest.fixture
def owner_client(kubia: Cluster) -> Client:
    return client_owning(kubia)


@pytest.fixture
def viewer_client(kubia: Cluster) -> Client:
    client = Client()
    client.watch_url = reverse("sandbox-watch", kwargs={"watch_token": kubia.watch_token})  # type: ignore[attr-defined]
    return client


@pytest.fixture
def stranger_client(other: Cluster) -> Client:
    return client_owning(other)
