"""The read-only link's token is stored only as a digest; links made before that keep working."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from cluster.models import Cluster
from cluster.selectors import cluster_by_watch_token
from cluster.services.sandboxes import cluster_create
from cluster.services.tokens import cluster_tokens_rotate
from cluster.watch_tokens import token_digest


def migrations_around() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the migration before the digests, the latest migrations): where to go back to and return."""
    loader = MigrationExecutor(connection).loader
    digests = next(key for key in loader.disk_migrations if key[1].endswith("_cluster_watch_token_hash"))
    return list(loader.get_migration(*digests).dependencies), loader.graph.leaf_nodes()


def watch_status(token: str) -> int:
    return Client().get(reverse("sandbox-watch", kwargs={"watch_token": token})).status_code


@pytest.mark.django_db
def test_no_column_holds_the_watch_token(kubia: Cluster) -> None:
    row = Cluster.objects.filter(pk=kubia.pk).values().get()
    assert kubia.watch_token not in {str(value) for value in row.values()}
    assert row["watch_token_hash"] == token_digest(kubia.watch_token)
    assert cluster_by_watch_token(token=kubia.watch_token) == kubia


@pytest.mark.django_db
def test_a_digest_or_a_near_miss_opens_nothing(kubia: Cluster) -> None:
    assert cluster_by_watch_token(token=token_digest(kubia.watch_token)) is None
    assert cluster_by_watch_token(token=kubia.watch_token[:-1]) is None
    assert cluster_by_watch_token(token=kubia.access_token) is None
    assert cluster_by_watch_token(token="") is None


@pytest.mark.django_db
def test_each_sandbox_has_its_own_link_and_rotation_changes_it(kubia: Cluster, other: Cluster) -> None:
    assert kubia.watch_token != other.watch_token
    old = kubia.watch_token
    rotated = cluster_tokens_rotate(cluster=kubia)
    assert rotated.watch_token != old
    assert cluster_by_watch_token(token=old) is None
    assert cluster_by_watch_token(token=rotated.watch_token) == rotated


@pytest.mark.django_db(transaction=True)
def test_migrating_keeps_the_old_link_until_rotation() -> None:
    before, latest = migrations_around()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_state = executor.loader.project_state(before).apps
    OldCluster = old_state.get_model("cluster", "Cluster")
    legacy = OldCluster.objects.create(name="before-digests", access_token="a" * 32, watch_token="w" * 32)
    OldCluster.objects.create(name="another", access_token="b" * 32, watch_token="v" * 32)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    cluster = Cluster.objects.get(pk=legacy.pk)
    assert not Cluster.objects.filter(legacy_watch_token_hash="w" * 32).exists()
    assert watch_status("w" * 32) == 200  # the link handed out before the migration
    assert watch_status(cluster.watch_token) == 200  # the link the owner's page shows now
    assert cluster_by_watch_token(token="v" * 32).name == "another"
    cluster_tokens_rotate(cluster=cluster)
    assert watch_status("w" * 32) == 404


@pytest.mark.django_db(transaction=True)
def test_migrating_back_gives_each_sandbox_its_derived_link() -> None:
    before, latest = migrations_around()
    made = cluster_create(preset="empty", seed=3)
    link = made.watch_token
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldCluster = executor.loader.project_state(before).apps.get_model("cluster", "Cluster")
    assert OldCluster.objects.get(pk=made.pk).watch_token == link
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    assert cluster_by_watch_token(token=link) == made
