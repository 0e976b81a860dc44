"""Resource paths, Accept negotiation and the kubeconfig (no database)."""

import json

import pytest
import yaml

from cluster.kubeconfig import kubeconfig_yaml
from visualizer.kubeapi.errors import KubeError
from visualizer.kubeapi.negotiation import media_types, rendering
from visualizer.kubeapi.resources import parse_target

TABLE_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
    "application/json"
)


@pytest.mark.parametrize(
    ("group", "rest", "expected"),
    [
        ("", "services", ("services", None, "", "")),
        ("", "namespaces/default/services", ("services", "default", "", "")),
        ("", "namespaces/default/services/kubia", ("services", "default", "kubia", "")),
        ("", "namespaces/default/services/kubia/status", ("services", "default", "kubia", "status")),
        ("", "namespaces", ("namespaces", None, "", "")),
        ("", "namespaces/default", ("namespaces", None, "default", "")),
        ("", "namespaces/default/status", ("namespaces", None, "default", "status")),
        ("", "nodes/node-1", ("nodes", None, "node-1", "")),
        ("apps", "namespaces/default/deployments/kubia/scale", ("deployments", "default", "kubia", "scale")),
    ],
)
def test_paths(group, rest, expected):
    target = parse_target(group, "v1", rest)
    assert (target.resource.plural, target.namespace, target.name, target.subresource) == expected


def test_the_watch_prefix():
    target = parse_target("", "v1", "watch/namespaces/default/services")
    assert target.watch and target.namespace == "default"


@pytest.mark.parametrize(
    ("group", "rest"),
    [
        ("", "widgets"),
        ("", "namespaces/default/nodes"),
        ("", "services/kubia"),
        ("", "namespaces/default/services/kubia/scale"),
        ("", "namespaces/default/services/kubia/status/x"),
        ("apps", "namespaces/default/services"),
        ("", ""),
    ],
)
def test_unknown_paths_are_404(group, rest):
    with pytest.raises(KubeError) as error:
        parse_target(group, "v1", rest)
    assert error.value.status["code"] == 404


def test_accept_negotiation():
    assert rendering(TABLE_ACCEPT).table_version == "v1"
    assert rendering("application/json;as=Table;v=v1beta1;g=meta.k8s.io").table_version == "v1beta1"
    assert not rendering("application/json").table
    assert not rendering("application/json, application/json;as=Table;v=v1;g=meta.k8s.io").table
    assert not rendering("application/vnd.kubernetes.protobuf,application/json").table
    assert media_types("a/b; x=1 ,c/d") == [("a/b", {"x": "1"}), ("c/d", {})]


def test_kubeconfig_for_plain_http_carries_the_token_in_the_url():
    text = kubeconfig_yaml(cluster_name="demo", server="http://127.0.0.1:8000/k8s/abc", token="t0k-en_")
    config = yaml.safe_load(text)
    assert config["current-context"] == "demo"
    assert config["clusters"][0]["cluster"]["server"] == "http://sandbox:t0k-en_@127.0.0.1:8000/k8s/abc"
    assert config["users"][0]["user"]["token"] == "t0k-en_"
    assert config["contexts"][0]["context"] == {"cluster": "demo", "user": "demo", "namespace": "default"}


def test_kubeconfig_for_https_uses_the_bearer_token_only():
    config = yaml.safe_load(
        kubeconfig_yaml(cluster_name="demo", server="https://scope.example/k8s/abc", token="t")
    )
    assert config["clusters"][0]["cluster"]["server"] == "https://scope.example/k8s/abc"


def test_an_unexpected_failure_becomes_a_logged_500_status(rf, caplog):
    from visualizer.kubeapi.errors import handle_errors

    @handle_errors
    def broken(request):
        raise RuntimeError("boom")

    response = broken(rf.get("/k8s/x/api/v1/services"))
    body = json.loads(response.content)
    assert response.status_code == 500
    assert (body["kind"], body["reason"], body["code"]) == ("Status", "InternalError", 500)
    assert "boom" not in body["message"]  # details stay in the log
    assert "kube API GET /k8s/x/api/v1/services failed" in caplog.text
