"""The patch formats of the Kubernetes API, as pure functions (no database)."""

import pytest

from cluster.sim.api.apischema import DEPLOYMENT, POD, SERVICE
from cluster.sim.api.patch import (
    PatchError,
    PatchFormatError,
    apply_merge,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)


def service(*ports):
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubia"},
        "spec": {"selector": {"app": "kubia"}, "ports": list(ports)},
    }


def port(number, target=8080, **extra):
    return {"port": number, "protocol": "TCP", "targetPort": target, **extra}


# --- JSON merge patch ------------------------------------------------------------------------------


def test_merge_patch_merges_maps_deletes_nulls_and_replaces_lists():
    original = service(port(80), port(443, 8443))
    patched = merge_patch(
        original, {"metadata": {"labels": {"a": "b"}}, "spec": {"selector": None, "ports": [{"port": 81}]}}
    )
    assert patched["metadata"] == {"name": "kubia", "labels": {"a": "b"}}
    assert "selector" not in patched["spec"]
    assert patched["spec"]["ports"] == [{"port": 81}]
    assert original["spec"]["ports"][0]["port"] == 80  # the argument is left alone


def test_merge_patch_with_a_scalar_replaces_the_document():
    assert merge_patch({"a": 1}, 5) == 5


# --- JSON patch ------------------------------------------------------------------------------------


def test_json_patch_operations():
    doc = {"spec": {"ports": [{"port": 80}], "type": "ClusterIP"}, "metadata": {"labels": {"a/b": "1"}}}
    result = json_patch(
        doc,
        [
            {"op": "add", "path": "/spec/ports/-", "value": {"port": 443}},
            {"op": "replace", "path": "/spec/type", "value": "NodePort"},
            {"op": "test", "path": "/spec/ports/0/port", "value": 80},
            {"op": "remove", "path": "/metadata/labels/a~1b"},
            {"op": "copy", "from": "/spec/type", "path": "/metadata/labels/type"},
            {"op": "move", "from": "/spec/ports/1", "path": "/spec/ports/0"},
        ],
    )
    assert result == {
        "spec": {"ports": [{"port": 443}, {"port": 80}], "type": "NodePort"},
        "metadata": {"labels": {"type": "NodePort"}},
    }
    assert doc["spec"]["type"] == "ClusterIP"


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "test", "path": "/spec/type", "value": "NodePort"}],
        [{"op": "replace", "path": "/spec/missing", "value": 1}],
        [{"op": "remove", "path": "/spec/ports/5"}],
    ],
)
def test_json_patch_that_does_not_apply(ops):
    with pytest.raises(PatchError):
        json_patch({"spec": {"type": "ClusterIP", "ports": []}}, ops)


@pytest.mark.parametrize(
    "ops",
    [
        {"op": "add"},
        [{"path": "/a"}],
        [{"op": "frobnicate", "path": "/a"}],
        [{"op": "add", "path": "/a"}],
        [{"op": "add", "path": "a", "value": 1}],
    ],
)
def test_malformed_json_patch(ops):
    with pytest.raises(PatchFormatError):
        json_patch({}, ops)


# --- strategic merge patch -------------------------------------------------------------------------


def test_service_ports_merge_by_port():
    original = service(port(80, name="http"), port(443, 8443, name="https"))
    patched = strategic_merge_patch(
        original,
        {"spec": {"ports": [{"port": 443, "targetPort": 9443}, {"port": 8080, "name": "alt"}]}},
        SERVICE,
    )
    assert patched["spec"]["ports"] == [
        port(80, name="http"),
        port(443, 9443, name="https"),
        {"port": 8080, "name": "alt"},
    ]


def test_kubectl_reapply_patch_deletes_and_orders_ports():
    """What `kubectl apply` sends after kubia-svc-named-ports.yaml is replaced by kubia-svc.yaml."""
    live = service(port(80, name="http", nodePort=30001), port(443, 8443, name="https"))
    patch = {
        "spec": {
            "$setElementOrder/ports": [{"port": 80}],
            "ports": [{"name": None, "port": 80}, {"$patch": "delete", "port": 443}],
        }
    }
    patched = strategic_merge_patch(live, patch, SERVICE)
    assert patched["spec"]["ports"] == [
        {"port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": 30001}
    ]


def test_set_element_order_orders_the_patch_items_and_keeps_server_only_ones_by_server_order():
    live = service(port(1), port(2), port(3))
    patch = {
        "spec": {"$setElementOrder/ports": [{"port": 3}, {"port": 1}, {"port": 4}], "ports": [{"port": 4}]}
    }
    patched = strategic_merge_patch(live, patch, SERVICE)
    # normalizeElementOrder + mergeSortedSlice: 2 (server-only) is compared by the server's order
    # with the head of the patch's order (3), and goes first.
    assert [p["port"] for p in patched["spec"]["ports"]] == [2, 3, 1, 4]


def test_set_element_order_reorders_without_other_changes():
    live = service(port(1), port(2))
    patched = strategic_merge_patch(
        live, {"spec": {"$setElementOrder/ports": [{"port": 2}, {"port": 1}]}}, SERVICE
    )
    assert [p["port"] for p in patched["spec"]["ports"]] == [2, 1]


def test_patch_replace_directive_on_a_list_and_a_map():
    live = service(port(80), port(443))
    patched = strategic_merge_patch(
        live,
        {
            "spec": {
                "ports": [{"$patch": "replace"}, {"port": 81}],
                "selector": {"$patch": "replace", "tier": "web"},
            }
        },
        SERVICE,
    )
    assert patched["spec"]["ports"] == [{"port": 81}]
    assert patched["spec"]["selector"] == {"tier": "web"}


def test_patch_delete_directive_on_a_map():
    patched = strategic_merge_patch(service(port(80)), {"spec": {"selector": {"$patch": "delete"}}}, SERVICE)
    assert "selector" not in patched["spec"]


def test_lists_without_a_strategy_are_replaced():
    live = service(port(80))
    live["spec"]["externalIPs"] = ["1.1.1.1", "2.2.2.2"]
    patched = strategic_merge_patch(live, {"spec": {"externalIPs": ["3.3.3.3"]}}, SERVICE)
    assert patched["spec"]["externalIPs"] == ["3.3.3.3"]


def test_missing_merge_key_is_refused():
    with pytest.raises(PatchError, match="does not contain declared merge key: port"):
        strategic_merge_patch(service(port(80)), {"spec": {"ports": [{"targetPort": 9090}]}}, SERVICE)


def test_unknown_patch_directive_is_a_format_error():
    with pytest.raises(PatchFormatError):
        strategic_merge_patch(service(port(80)), {"spec": {"$patch": "explode"}}, SERVICE)


def pod(containers):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "finalizers": ["a", "b"]},
        "spec": {"containers": containers},
    }


def test_containers_env_and_container_ports_merge_by_their_keys():
    live = pod(
        [
            {
                "name": "app",
                "image": "luksa/kubia",
                "ports": [{"containerPort": 8080, "name": "http"}],
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            },
            {"name": "sidecar", "image": "busybox"},
        ]
    )
    patch = {
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "luksa/kubia:v2",
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}, {"containerPort": 9090}],
                    "env": [{"name": "B", "value": "3"}, {"$patch": "delete", "name": "A"}],
                }
            ]
        }
    }
    patched = strategic_merge_patch(live, patch, POD)
    app, sidecar = patched["spec"]["containers"]
    assert app["image"] == "luksa/kubia:v2"
    assert app["ports"] == [
        {"containerPort": 8080, "name": "http", "protocol": "TCP"},
        {"containerPort": 9090},
    ]
    assert app["env"] == [{"name": "B", "value": "3"}]
    assert sidecar == {"name": "sidecar", "image": "busybox"}


def test_primitive_merge_lists_union_and_delete_from_primitive_list():
    patched = strategic_merge_patch(
        pod([]), {"metadata": {"finalizers": ["c", "a"], "$deleteFromPrimitiveList/finalizers": ["b"]}}, POD
    )
    assert patched["metadata"]["finalizers"] == ["a", "c"]


def test_retain_keys_clears_the_other_fields():
    """kubectl apply switching a Deployment from RollingUpdate to Recreate."""
    live = {
        "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}, "replicas": 3}
    }
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": None}}}
    patched = strategic_merge_patch(live, patch, DEPLOYMENT)
    assert patched["spec"] == {"strategy": {"type": "Recreate"}, "replicas": 3}


def test_directives_in_new_values_are_applied_not_stored():
    patched = strategic_merge_patch(
        {"spec": {}}, {"spec": {"ports": [{"port": 80}, {"$patch": "delete", "port": 81}]}}, SERVICE
    )
    assert patched["spec"]["ports"] == [{"port": 80}]


def test_patch_must_be_an_object():
    with pytest.raises(PatchFormatError):
        strategic_merge_patch({}, [1], SERVICE)  # type: ignore[arg-type]


# --- server-side apply (simplified) ------------------------------------------------------------------


def test_apply_merge_keeps_server_fields_and_merges_keyed_lists():
    live = service(port(80, nodePort=30123))
    live["spec"]["clusterIP"] = "10.96.0.10"
    applied = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubia"},
        "spec": {"sessionAffinity": "ClientIP", "ports": [{"port": 80, "targetPort": 8080}]},
    }
    merged = apply_merge(live, applied, SERVICE)
    assert merged["spec"]["clusterIP"] == "10.96.0.10"
    assert merged["spec"]["sessionAffinity"] == "ClientIP"
    assert merged["spec"]["ports"] == [port(80, nodePort=30123)]
