"""Per-sandbox limits: a ResourceQuota named "sandbox" (pods, services) and the node limit, enforced
in the one write path; a ReplicaSet that cannot make its pods reports FailedCreate."""

import pytest
from django.test import override_settings

from cluster.errors import ApiError
from cluster.models import Pod, ReplicaSet
from cluster.selectors import object_get
from cluster.selectors_quota import quota_list
from cluster.services.objects import object_create
from cluster.services.workloads import node_add, workload_scale
from cluster.sim.allocation.quota import describe_quota
from tests.cluster.helpers import nodeport_service


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "luksa/kubia"}]}}


def test_pod_past_the_quota_is_forbidden_with_the_apiservers_words(kubia):
    used = Pod.objects.filter(cluster=kubia).count()
    with override_settings(SANDBOX_MAX_PODS=used + 1):
        object_create(cluster=kubia, obj=pod("fits"))
        with pytest.raises(ApiError) as refused:
            object_create(cluster=kubia, obj=pod("one-too-many"))
    status = refused.value.status
    assert status["code"] == 403 and status["reason"] == "Forbidden"
    assert status["message"] == (
        f'pods "one-too-many" is forbidden: exceeded quota: sandbox, requested: pods=1, '
        f"used: pods={used + 1}, limited: pods={used + 1}"
    )
    assert status["details"] == {"name": "one-too-many", "kind": "pods"}
    assert not Pod.objects.filter(cluster=kubia, name="one-too-many").exists()


def test_services_and_nodes_have_their_limits(kubia):
    from cluster.models import Node, Service

    services = Service.objects.filter(cluster=kubia).count()
    nodes = Node.objects.filter(cluster=kubia).count()
    with override_settings(SANDBOX_MAX_SERVICES=services, SANDBOX_MAX_NODES=nodes):
        with pytest.raises(ApiError) as svc:
            object_create(cluster=kubia, obj=nodeport_service("extra"))
        with pytest.raises(ApiError) as node:
            node_add(cluster=kubia)
    assert svc.value.status["message"] == (
        f'services "extra" is forbidden: exceeded quota: sandbox, requested: services=1, '
        f"used: services={services}, limited: services={services}"
    )
    message = node.value.status["message"]
    assert node.value.code == 403 and node.value.status["reason"] == "Forbidden"
    assert message.startswith('nodes "') and "is forbidden: exceeded the sandbox's node limit" in message
    assert message.endswith(f"requested: nodes=1, used: nodes={nodes}, limited: nodes={nodes}")


def test_scale_past_the_quota_stands_and_the_replicaset_reports_failed_create(kubia):
    used = Pod.objects.filter(cluster=kubia).count()
    rs = ReplicaSet.objects.get(cluster=kubia)
    with override_settings(SANDBOX_MAX_PODS=used + 2):
        workload_scale(cluster=kubia, kind="ReplicaSet", namespace="default", name=rs.name, replicas=10)
        assert Pod.objects.filter(cluster=kubia).count() == used + 2
        body = object_get(cluster=kubia, kind="ReplicaSet", namespace="default", name=rs.name)
        assert body["spec"]["replicas"] == 10
        assert body["status"]["replicas"] == 5
        [condition] = body["status"]["conditions"]
        assert condition["type"] == "ReplicaFailure" and condition["status"] == "True"
        assert condition["reason"] == "FailedCreate"
        assert condition["message"].startswith('pods "kubia-')
        assert condition["message"].endswith(
            f"is forbidden: exceeded quota: sandbox, requested: pods=1, used: pods={used + 2}, "
            f"limited: pods={used + 2}"
        )
        # Scaling back within the quota clears the failure.
        workload_scale(cluster=kubia, kind="ReplicaSet", namespace="default", name=rs.name, replicas=4)
    body = object_get(cluster=kubia, kind="ReplicaSet", namespace="default", name=rs.name)
    assert "conditions" not in body["status"]
    assert body["status"]["replicas"] == 4


def test_the_quota_reads_as_a_resourcequota(kubia):
    pods = Pod.objects.filter(cluster=kubia).count()
    with override_settings(SANDBOX_MAX_PODS=40, SANDBOX_MAX_SERVICES=7):
        [quota] = quota_list(cluster=kubia, namespace="default")
    assert quota["kind"] == "ResourceQuota" and quota["metadata"]["name"] == "sandbox"
    assert quota["spec"]["hard"] == {"pods": "40", "services": "7"}
    assert quota["status"]["used"]["pods"] == str(pods)
    text = describe_quota(quota)
    assert text.splitlines()[:3] == ["Name:       sandbox", "Namespace:  default", "Resource    Used  Hard"]
    assert f"pods        {pods}     40" in text


def test_the_console_gets_and_describes_the_quota(kubia):
    from cluster.services.console import console_run

    pods = Pod.objects.filter(cluster=kubia).count()
    with override_settings(SANDBOX_MAX_PODS=40, SANDBOX_MAX_SERVICES=7):
        got = console_run(cluster=kubia, command="kubectl get quota", seed=1)
        described = console_run(cluster=kubia, command="kubectl describe quota sandbox", seed=1)
        refused = console_run(cluster=kubia, command="kubectl delete quota sandbox", seed=1)
    header, row = got.output.splitlines()
    assert header.split() == ["NAME", "AGE", "REQUEST", "LIMIT"]
    assert row.startswith("sandbox ") and row.rstrip().endswith(f"pods: {pods}/40, services: 4/7")
    assert described.output == describe_quota(quota_list(cluster=kubia, namespace="default")[0]) or \
        "Resource    Used  Hard" in described.output
    assert refused.exit_code != 0


def test_a_deployment_short_of_its_pods_carries_the_replicasets_failure(kubia):
    from cluster.services.workloads import workload_create

    used = Pod.objects.filter(cluster=kubia).count()
    with override_settings(SANDBOX_MAX_PODS=used + 2):
        workload_create(cluster=kubia, name="web", replicas=4, labels={"app": "web"}, container_port=8080)
    deploy = object_get(cluster=kubia, kind="Deployment", namespace="default", name="web")
    conditions = {c["type"]: c for c in deploy["status"]["conditions"]}
    assert list(conditions) == ["Available", "Progressing", "ReplicaFailure"]
    assert conditions["ReplicaFailure"]["reason"] == "FailedCreate"
    assert "exceeded quota: sandbox" in conditions["ReplicaFailure"]["message"]
    assert deploy["status"]["replicas"] == 2
