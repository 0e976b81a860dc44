import pytest

from cluster.services.sandboxes import cluster_create


@pytest.fixture
def kubia(db):
    return cluster_create(name="kubia", preset="kubia", seed=1)


@pytest.fixture
def empty(db):
    return cluster_create(name="empty", preset="empty", seed=2)
