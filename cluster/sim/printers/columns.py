"""Table column definitions per kind, as pkg/printers/internalversion/printers.go registers them."""

from __future__ import annotations

from typing import Any

# Descriptions come from printers.go; the ones it takes from the API's SwaggerDoc() are the first
# sentence of that doc (kubectl never shows descriptions).
_NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name automatically. "
    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
    "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
_AGE_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It "
    "is not guaranteed to be set in happens-before order across separate operations. Clients may not "
    "set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
    "Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)
_CONTAINERS_DOC = "Names of each container in the template."
_IMAGES_DOC = "Images referenced by each container in the template."
_NODE_ADDRESSES_DOC = "List of addresses reachable to the node."


def column(name: str, description: str, *, type_: str = "string", priority: int = 0) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "format": "name" if name == "Name" else "",
        "description": description,
        "priority": priority,
    }


NAME = column("Name", _NAME_DOC)
AGE = column("Age", _AGE_DOC)

COLUMNS: dict[str, list[dict[str, Any]]] = {
    "ResourceQuota": [
        NAME,
        AGE,
        column("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
        column("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
    ],
    "Service": [
        NAME,
        column("Type", "type determines how the Service is exposed."),
        column("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
        column(
            "External-IP",
            "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
        ),
        column("Port(s)", "The list of ports that are exposed by this service."),
        AGE,
        column(
            "Selector",
            "Route service traffic to pods with label keys and values matching this selector.",
            priority=1,
        ),
    ],
    "Pod": [
        NAME,
        column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        column("Status", "The aggregate status of the containers in this pod."),
        column(
            "Restarts",
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
        ),
        AGE,
        column("IP", "podIP address allocated to the pod.", priority=1),
        column("Node", "NodeName indicates in which node this pod is scheduled.", priority=1),
        column(
            "Nominated Node",
            "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.",
            priority=1,
        ),
        column(
            "Readiness Gates",
            "If specified, all readiness gates will be evaluated for pod readiness.",
            priority=1,
        ),
    ],
    "Endpoints": [
        NAME,
        column("Endpoints", "The set of all endpoints is the union of all subsets."),
        AGE,
    ],
    "EndpointSlice": [
        NAME,
        column("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
        column("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
        column("Endpoints", "endpoints is a list of unique endpoints in this slice."),
        AGE,
    ],
    "Deployment": [
        NAME,
        column("Ready", "Number of the pod with ready state"),
        column(
            "Up-to-date",
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
        ),
        column(
            "Available",
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
        ),
        AGE,
        column("Containers", _CONTAINERS_DOC, priority=1),
        column("Images", _IMAGES_DOC, priority=1),
        column("Selector", "Label selector for pods.", priority=1),
    ],
    "ReplicaSet": [
        NAME,
        column("Desired", "Replicas is the number of desired replicas.", type_="integer"),
        column("Current", "Replicas is the most recently observed number of replicas.", type_="integer"),
        column("Ready", "The number of ready replicas for this replica set.", type_="integer"),
        AGE,
        column("Containers", _CONTAINERS_DOC, priority=1),
        column("Images", _IMAGES_DOC, priority=1),
        column(
            "Selector", "Selector is a label query over pods that should match the replica count.", priority=1
        ),
    ],
    "Node": [
        NAME,
        column("Status", "The status of the node"),
        column("Roles", "The roles of the node"),
        AGE,
        column("Version", "Kubelet Version reported by the node."),
        column("Internal-IP", _NODE_ADDRESSES_DOC, priority=1),
        column("External-IP", _NODE_ADDRESSES_DOC, priority=1),
        column(
            "OS-Image",
            "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
            priority=1,
        ),
        column(
            "Kernel-Version",
            "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
            priority=1,
        ),
        column(
            "Container-Runtime",
            "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
            priority=1,
        ),
    ],
    "Namespace": [
        NAME,
        column("Status", "The status of the namespace"),
        AGE,
    ],
    "Event": [
        column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
        column("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
        column(
            "Reason",
            "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
        ),
        column("Object", "The object that this event is about."),
        column(
            "Subobject",
            "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.",
            priority=1,
        ),
        column(
            "Source",
            "The component reporting this event. Should be a short machine understandable string.",
            priority=1,
        ),
        column("Message", "A human-readable description of the status of this operation."),
        column(
            "First Seen",
            "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
            priority=1,
        ),
        column("Count", "The number of times this event has occurred.", priority=1),
        {**NAME, "priority": 1},
    ],
}
