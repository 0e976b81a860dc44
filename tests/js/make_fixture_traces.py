"""Write tests/js/fixture_traces.json: real traces from the pure core over the kubia fixture.

The JS tests of the quiz and the book view read it. Its `snapshot` is the sandbox the traces were
taken in (kept whole, so the file stands alone): fixture_kubia.json's objects plus node-4 with no
pod, a NodePort Service with externalTrafficPolicy Local and a Service whose selector matches no
pod. Run again after the trace shape changes:

    .venv/bin/python tests/js/make_fixture_traces.py
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cluster.sim.dataplane.kubeproxy import ClusterView  # noqa: E402
from cluster.sim.dataplane.trace import trace_request  # noqa: E402
from cluster.sim.objects import ClusterSettings  # noqa: E402

HERE = Path(__file__).resolve().parent
CLIENT_POD = "pod/default/kubia-7d5b8f9c4-x2k9p"



def cases(objects: dict) -> list[tuple[str, str, str, str]]:
    """(id, proxy mode, source, destination): every shape of hop the quiz and the book view meet.
    Addresses come from the objects: external clients reach nodes at their ExternalIP."""

    def external_ip(name: str) -> str:
        node = next(n for n in objects["Node"] if n["metadata"]["name"] == name)
        return next(a["address"] for a in node["status"]["addresses"] if a["type"] == "ExternalIP")

    services = {s["metadata"]["name"]: s for s in objects["Service"]}
    lb_ip = services["kubia-loadbalancer"]["status"]["loadBalancer"]["ingress"][0]["ip"]
    cluster_ip = services["kubia"]["spec"]["clusterIP"]
    empty_ip = services["kubia-empty"]["spec"]["clusterIP"]
    pod_ip = next(p["status"]["podIP"] for p in objects["Pod"] if p["spec"]["nodeName"] == "node-3")
    node_2 = external_ip("node-2")
    return [
        ("np-iptables", "iptables", "external", f"{node_2}:30123"),
        ("lb-iptables", "iptables", "external", f"{lb_ip}:80"),
        ("cip-iptables", "iptables", CLIENT_POD, f"{cluster_ip}:80"),
        ("dns-iptables", "iptables", CLIENT_POD, "kubia.default.svc.cluster.local:80"),
        ("np-ipvs", "ipvs", "external", f"{node_2}:30123"),
        ("lb-ipvs", "ipvs", "external", f"{lb_ip}:80"),
        ("np-nftables", "nftables", "external", f"{node_2}:30123"),
        ("local-drop", "iptables", "external", f"{external_ip('node-4')}:30124"),
        ("local-kept", "iptables", "external", f"{node_2}:30124"),
        ("empty-refused", "iptables", CLIENT_POD, f"{empty_ip}:80"),
        ("nodeport-refused", "iptables", "external", f"{node_2}:30999"),
        ("cip-outside", "iptables", "external", f"{cluster_ip}:80"),
        ("pod-direct", "iptables", CLIENT_POD, f"{pod_ip}:8080"),
        ("internal-nodeport", "iptables", "node/node-1", "10.0.0.12:30123"),
    ]


def extra_objects(objects: dict) -> dict:
    node = copy.deepcopy(objects["Node"][2])
    node["metadata"].update(name="node-4", uid="uid-node-4", resourceVersion="201")
    node["metadata"]["labels"]["kubernetes.io/hostname"] = "node-4"
    node["spec"] = {"podCIDR": "10.244.3.0/24", "podCIDRs": ["10.244.3.0/24"]}
    node["status"]["addresses"] = [
        {"type": "InternalIP", "address": "10.0.0.14"},
        {"type": "ExternalIP", "address": "130.211.96.149"},
        {"type": "Hostname", "address": "node-4"},
    ]

    local = copy.deepcopy(objects["Service"][1])
    local["metadata"].update(name="kubia-local", uid="uid-kubia-local", resourceVersion="202")
    local["spec"].update(clusterIP="10.96.121.118", clusterIPs=["10.96.121.118"], externalTrafficPolicy="Local")
    local["spec"]["ports"][0]["nodePort"] = 30124
    local_slice = copy.deepcopy(objects["EndpointSlice"][1])
    local_slice["metadata"].update(name="kubia-local-h7k2d", uid="uid-kubia-local-h7k2d", resourceVersion="203",
                                   generateName="kubia-local-")
    local_slice["metadata"]["labels"]["kubernetes.io/service-name"] = "kubia-local"
    local_slice["metadata"]["ownerReferences"][0].update(name="kubia-local", uid="uid-kubia-local")

    empty = copy.deepcopy(objects["Service"][0])
    empty["metadata"].update(name="kubia-empty", uid="uid-kubia-empty", resourceVersion="204")
    empty["spec"].update(clusterIP="10.96.200.20", clusterIPs=["10.96.200.20"], selector={"app": "kubai"})
    empty_slice = copy.deepcopy(objects["EndpointSlice"][0])
    empty_slice["metadata"].update(name="kubia-empty-4xq9z", uid="uid-kubia-empty-4xq9z", resourceVersion="205",
                                   generateName="kubia-empty-")
    empty_slice["metadata"]["labels"]["kubernetes.io/service-name"] = "kubia-empty"
    empty_slice["metadata"]["ownerReferences"][0].update(name="kubia-empty", uid="uid-kubia-empty")
    empty_slice["endpoints"] = []
    return {"Node": [node], "Service": [local, empty], "EndpointSlice": [local_slice, empty_slice]}


def main() -> None:
    fixture = json.loads((HERE / "fixture_kubia.json").read_text())
    objects = fixture["snapshot"]["objects"]
    extra = extra_objects(objects)
    everything = {kind: objects.get(kind, []) + extra.get(kind, []) for kind in {*objects, *extra}}
    lb_pool = tuple(fixture["snapshot"]["cluster"]["settings"]["lbPool"])
    traces = []
    for trace_id, mode, source, destination in cases(everything):
        view = ClusterView(
            settings=ClusterSettings(proxy_mode=mode, lb_pool=lb_pool),
            nodes=everything["Node"],
            pods=everything["Pod"],
            services=everything["Service"],
            endpointslices=everything["EndpointSlice"],
        )
        trace = trace_request(view, source=source, destination=destination, seed=5)
        traces.append({"id": trace_id, **trace})
    snapshot = {
        "type": "snapshot",
        "seq": fixture["snapshot"]["seq"],
        "cluster": fixture["snapshot"]["cluster"],
        "objects": {kind: everything[kind] for kind in sorted(everything)},
    }
    out = {"about": __doc__.splitlines()[0], "snapshot": snapshot, "traces": traces}
    (HERE / "fixture_traces.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
