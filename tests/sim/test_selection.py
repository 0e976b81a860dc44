"""Label and field selectors of list and watch requests (no database)."""

import pytest

from cluster.sim.api.selection import (
    FieldTerm,
    Requirement,
    SelectorError,
    labels_match,
    parse_field_selector,
    parse_label_selector,
    selection,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("app=kubia", [Requirement("app", "=", ("kubia",))]),
        ("app==kubia", [Requirement("app", "=", ("kubia",))]),
        ("app!=kubia", [Requirement("app", "!=", ("kubia",))]),
        ("kubernetes.io/service-name=kubia", [Requirement("kubernetes.io/service-name", "=", ("kubia",))]),
        ("tier in (web, api)", [Requirement("tier", "in", ("web", "api"))]),
        ("tier notin (web)", [Requirement("tier", "notin", ("web",))]),
        ("app", [Requirement("app", "exists")]),
        ("!app", [Requirement("app", "!")]),
        ("app=", [Requirement("app", "=", ("",))]),
        ("n>2,n<5", [Requirement("n", "gt", ("2",)), Requirement("n", "lt", ("5",))]),
        (" app = kubia , !canary ", [Requirement("app", "=", ("kubia",)), Requirement("canary", "!")]),
    ],
)
def test_label_selector_parsing(text, expected):
    assert parse_label_selector(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "app in (a",
        "app in a",
        "app=kubia,",
        "=kubia",
        "app kubia",
        "!",
        "a>b",
        "app=a b",
        "bad key!=1",
        "app=" + "v" * 64,
        "-app=1",
    ],
)
def test_label_selector_errors(text):
    with pytest.raises(SelectorError, match="unable to parse requirement"):
        parse_label_selector(text)


@pytest.mark.parametrize(
    ("text", "labels", "matches"),
    [
        ("app=kubia", {"app": "kubia"}, True),
        ("app=kubia", {"app": "other"}, False),
        ("app!=kubia", {}, True),
        ("app!=kubia", {"app": "kubia"}, False),
        ("tier in (web,api)", {"tier": "api"}, True),
        ("tier in (web,api)", {}, False),
        ("tier notin (web)", {}, True),
        ("tier notin (web)", {"tier": "web"}, False),
        ("app", {"app": ""}, True),
        ("!app", {"app": "x"}, False),
        ("!app", {"other": "x"}, True),
        ("n>2", {"n": "3"}, True),
        ("n>2", {"n": "x"}, False),
        ("n<2", {"n": "3"}, False),
        ("app=kubia,tier=web", {"app": "kubia"}, False),
        ("", {}, True),
    ],
)
def test_label_selector_matching(text, labels, matches):
    assert labels_match(parse_label_selector(text), labels) is matches


def test_field_selector_parsing_with_escapes():
    assert parse_field_selector("metadata.name=kubia,spec.nodeName!=node-1") == [
        FieldTerm("metadata.name", "kubia"),
        FieldTerm("spec.nodeName", "node-1", negated=True),
    ]
    assert parse_field_selector("metadata.name==a\\,b\\=c") == [FieldTerm("metadata.name", "a,b=c")]
    assert parse_field_selector("") == []


@pytest.mark.parametrize("text", ["metadata.name", "metadata.name=a,b", "metadata.name=a\\"])
def test_field_selector_errors(text):
    with pytest.raises(SelectorError):
        parse_field_selector(text)


def test_describe_svc_event_selector():
    """What `kubectl describe svc kubia` asks the events list for."""
    chosen = selection(
        "Event",
        "",
        "involvedObject.name=kubia,involvedObject.namespace=default,"
        "involvedObject.kind=Service,involvedObject.uid=1234",
    )
    event = {
        "metadata": {"name": "e"},
        "involvedObject": {"name": "kubia", "namespace": "default", "kind": "Service", "uid": "1234"},
    }
    assert chosen.matches(event)
    assert not chosen.matches({**event, "involvedObject": {**event["involvedObject"], "uid": "9"}})


def test_pod_field_selectors():
    pod = {
        "metadata": {"name": "p", "namespace": "default", "labels": {"app": "kubia"}},
        "spec": {"nodeName": "node-1", "hostNetwork": False},
        "status": {"phase": "Running"},
    }
    assert selection("Pod", "app=kubia", "spec.nodeName=node-1,status.phase=Running").matches(pod)
    assert selection("Pod", "", "spec.hostNetwork=false").matches(pod)
    assert not selection("Pod", "", "metadata.namespace=kube-system").matches(pod)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("Pod", "field label not supported: spec.foo"),
        ("Service", '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ],
)
def test_unsupported_field_selectors(kind, message):
    with pytest.raises(SelectorError) as error:
        selection(kind, "", "spec.foo=1")
    assert str(error.value) == message
