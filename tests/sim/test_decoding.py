"""Decoding request bodies into the served kinds, with kube-apiserver's messages (no database)."""

import pytest

from cluster.sim.api.apischema import DEPLOYMENT, SERVICE
from cluster.sim.api.decoding import DecodeError, cannot_handle, decode, strict_message


def svc(**spec):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubia"}, "spec": spec}


def test_a_valid_service_decodes_unchanged():
    doc = svc(
        type="NodePort",
        ports=[{"port": 80, "targetPort": "http", "nodePort": 30123}],
        selector={"app": "kubia"},
        sessionAffinityConfig={"clientIP": {"timeoutSeconds": 10}},
    )
    result = decode(doc, SERVICE)
    assert result.obj == doc
    assert result.unknown == []


def test_unknown_fields_are_dropped_and_listed_with_their_paths():
    doc = svc(foo=1, ports=[{"port": 80}, {"port": 81, "bar": True}])
    doc["metadata"]["Name"] = "x"
    result = decode(doc, SERVICE)
    assert result.unknown == ["metadata.Name", "spec.foo", "spec.ports[1].bar"]
    assert result.obj == svc(ports=[{"port": 80}, {"port": 81}])
    assert strict_message(result.unknown) == (
        'strict decoding error: unknown field "metadata.Name", '
        'unknown field "spec.foo", unknown field "spec.ports[1].bar"'
    )


def test_nulls_become_absent_fields():
    result = decode(svc(selector=None, ports=[{"port": 80, "name": None}]), SERVICE)
    assert result.obj["spec"] == {"ports": [{"port": 80}]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            svc(ports=[{"port": "eighty"}]),
            "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32",
        ),
        (
            svc(ports=[{"port": 80.5}]),
            "json: cannot unmarshal number 80.5 into Go struct field ServicePort.spec.ports.port of type int32",
        ),
        (
            svc(ports=[{"port": 2**31}]),
            "json: cannot unmarshal number 2147483648 into Go struct field ServicePort.spec.ports.port of type int32",
        ),
        (
            svc(ports={"port": 80}),
            "json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort",
        ),
        (
            svc(ports=["http"]),
            "json: cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type v1.ServicePort",
        ),
        (
            svc(selector={"app": 1}),
            "json: cannot unmarshal number into Go struct field ServiceSpec.spec.selector of type string",
        ),
        (
            svc(publishNotReadyAddresses="yes"),
            "json: cannot unmarshal string into Go struct field ServiceSpec.spec.publishNotReadyAddresses of type bool",
        ),
        (
            svc(ports=[{"port": 80, "targetPort": True}]),
            "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32",
        ),
        (
            {"metadata": {"labels": ["a"]}},
            "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string",
        ),
    ],
)
def test_wrong_types_carry_go_messages(doc, message):
    with pytest.raises(DecodeError) as error:
        decode(doc, SERVICE)
    assert str(error.value) == message


def test_free_subtrees_accept_anything():
    doc = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "readinessProbe": {"exec": {"command": ["ls"]}},
                            "resources": {"limits": {"cpu": 1}},
                        }
                    ]
                }
            }
        }
    }
    assert decode(doc, DEPLOYMENT).obj == doc


def test_cannot_handle_wraps_like_the_serializer():
    assert (
        cannot_handle("Service", "v1", "boom")
        == 'Service in version "v1" cannot be handled as a Service: boom'
    )
