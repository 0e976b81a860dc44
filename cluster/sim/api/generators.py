"""The objects kubectl's generator commands build before sending them (kubectl 1.31):
`create deployment` and `expose`."""

from __future__ import annotations

from cluster.sim.objects import Obj
from cluster.sim.workloads.workloads import workload_manifest


class GeneratorError(ValueError):
    """kubectl refused before sending anything; the message follows `error: `."""


def container_name(image: str) -> str:
    """kubectl's buildPodSpec: the image's last path part without tag or digest, `_` made `-`."""
    name = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return name.replace("_", "-")


def deployment(name: str, images: list[str], *, replicas: int = 1, port: int = -1, namespace: str = "default") -> Obj:
    """`kubectl create deployment NAME --image=IMG [--replicas=N] [--port=P]`."""
    containers: list[Obj] = [{"name": container_name(image), "image": image} for image in images]
    if port >= 0 and containers:
        containers[0]["ports"] = [{"containerPort": port}]
    return workload_manifest("Deployment", name, replicas=replicas, labels={"app": name},
                             containers=containers, namespace=namespace)


def _template_spec(obj: Obj) -> Obj:
    if obj.get("kind") == "Pod":
        return obj.get("spec") or {}
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def exposed_selector(obj: Obj) -> dict[str, str]:
    """MapBasedSelectorForObject: the pod labels the new Service selects."""
    kind = obj.get("kind")
    if kind == "Pod":
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if not labels:
            raise GeneratorError("the pod has no labels and cannot be exposed")
        return dict(labels)
    if kind == "Service":
        selector = (obj.get("spec") or {}).get("selector") or {}
        if not selector:
            raise GeneratorError("the service has no pod selector set")
        return dict(selector)
    selector = (obj.get("spec") or {}).get("selector") or {}
    if selector.get("matchExpressions"):
        raise GeneratorError(f'couldn\'t convert expressions - "{selector["matchExpressions"]}" to map-based '
                             "selector format")
    return dict(selector.get("matchLabels") or {})


def exposed_ports(obj: Obj) -> list[int]:
    """PortsForObject: the ports the exposed object declares."""
    if obj.get("kind") == "Service":
        return [p["port"] for p in (obj.get("spec") or {}).get("ports") or [] if "port" in p]
    return [p["containerPort"] for c in _template_spec(obj).get("containers") or []
            for p in c.get("ports") or [] if "containerPort" in p]


def exposed_service(obj: Obj, *, name: str, ports: list[int], target_port: str = "", type_: str = "",
                    namespace: str = "default") -> Obj:
    """`kubectl expose`: the Service selecting the object's pods, named `port-N` when several ports."""
    try:
        selector = exposed_selector(obj)
    except GeneratorError as error:
        raise GeneratorError(f"couldn't retrieve selectors via --selector flag or introspection: {error}") from None
    if not ports:
        raise GeneratorError("couldn't find port via --port flag or introspection")
    service_ports: list[Obj] = []
    for i, number in enumerate(ports):
        port: Obj = {"port": number, "targetPort": _int_or_name(target_port) if target_port else number}
        if len(ports) > 1:
            port["name"] = f"port-{i + 1}"
        service_ports.append(port)
    metadata: Obj = {"name": name, "namespace": namespace}
    labels = (obj.get("metadata") or {}).get("labels")
    if labels:
        metadata["labels"] = dict(labels)
    spec: Obj = {"ports": service_ports, "selector": selector}
    if type_:
        spec["type"] = type_
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def _int_or_name(text: str) -> int | str:
    """intstr.Parse: a number when it reads as one, else a port name."""
    try:
        return int(text)
    except ValueError:
        return text
