"""The Go types behind the served kinds, as far as decoding and strategic merge patch need them.

kube-apiserver decodes a body into Go structs: unknown fields are dropped (and reported under
fieldValidation=Warn/Strict), a value of the wrong JSON type is a decoding error, and the struct
tags carry each list's patch strategy and merge key. This module describes those structs.
Rarely used subtrees (probes, affinity, volume sources, node status...) are `FREE`: anything
goes there, nothing is reported, lists in them are replaced by a patch.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scalar:
    go: str  # string, bool, int32, int64, float64, intstr.IntOrString, resource.Quantity, v1.Time


@dataclass(frozen=True)
class Free:
    """Any JSON value: a part of the API the simulator does not model."""


@dataclass(frozen=True)
class ListOf:
    elem: Type


@dataclass(frozen=True)
class MapOf:
    value: Type


@dataclass(frozen=True)
class Field:
    type: Type
    merge_key: str = ""
    strategy: str = ""  # "", "merge", "retainKeys" or "merge,retainKeys" (patchStrategy struct tag)

    @property
    def merges(self) -> bool:
        return "merge" in self.strategy.split(",")


@dataclass(frozen=True)
class Struct:
    go: str  # Go type name with its package, e.g. "v1.ServicePort"
    fields: dict[str, Field] = field(default_factory=dict)
    open: bool = False  # inline members we do not list (VolumeSource): unknown keys are kept silently

    @property
    def name(self) -> str:
        return self.go.rpartition(".")[2]


Type = Scalar | Free | ListOf | MapOf | Struct

STRING = Scalar("string")
BOOL = Scalar("bool")
INT32 = Scalar("int32")
INT64 = Scalar("int64")
INT_OR_STRING = Scalar("intstr.IntOrString")
QUANTITY = Scalar("resource.Quantity")
TIME = Scalar("v1.Time")
FREE = Free()
STRINGS = ListOf(STRING)
STRING_MAP = MapOf(STRING)


def go_type_name(t: Type) -> str:
    """How encoding/json names a type in `... of type <name>`."""
    if isinstance(t, Scalar):
        return t.go
    if isinstance(t, Struct):
        return t.go
    if isinstance(t, ListOf):
        return "[]" + go_type_name(t.elem)
    if isinstance(t, MapOf):
        return "map[string]" + go_type_name(t.value)
    return "interface {}"


def struct(go: str, open_: bool = False, **fields: Field | Type) -> Struct:
    return Struct(go, {name: f if isinstance(f, Field) else Field(f) for name, f in fields.items()}, open_)


def merge_list(elem: Type, key: str, strategy: str = "merge") -> Field:
    return Field(ListOf(elem), merge_key=key, strategy=strategy)


# --- meta/v1 ----------------------------------------------------------------------------------------

OWNER_REFERENCE = struct(
    "v1.OwnerReference",
    apiVersion=STRING,
    kind=STRING,
    name=STRING,
    uid=STRING,
    controller=BOOL,
    blockOwnerDeletion=BOOL,
)
OBJECT_META = struct(
    "v1.ObjectMeta",
    name=STRING,
    generateName=STRING,
    namespace=STRING,
    selfLink=STRING,
    uid=STRING,
    resourceVersion=STRING,
    generation=INT64,
    creationTimestamp=TIME,
    deletionTimestamp=TIME,
    deletionGracePeriodSeconds=INT64,
    labels=STRING_MAP,
    annotations=STRING_MAP,
    ownerReferences=merge_list(OWNER_REFERENCE, "uid"),
    finalizers=Field(STRINGS, strategy="merge"),
    managedFields=ListOf(FREE),
)
LABEL_SELECTOR = struct(
    "v1.LabelSelector",
    matchLabels=STRING_MAP,
    matchExpressions=ListOf(
        struct("v1.LabelSelectorRequirement", key=STRING, operator=STRING, values=STRINGS)
    ),
)
CONDITIONS = merge_list(FREE, "type")
OBJECT_REFERENCE = struct(
    "v1.ObjectReference",
    kind=STRING,
    namespace=STRING,
    name=STRING,
    uid=STRING,
    apiVersion=STRING,
    resourceVersion=STRING,
    fieldPath=STRING,
)


def top_level(go: str, **fields: Field | Type) -> Struct:
    return struct(go, apiVersion=STRING, kind=STRING, metadata=OBJECT_META, **fields)


# --- core/v1 Service ----------------------------------------------------------------------------------

SERVICE_PORT = struct(
    "v1.ServicePort",
    name=STRING,
    protocol=STRING,
    appProtocol=STRING,
    port=INT32,
    targetPort=INT_OR_STRING,
    nodePort=INT32,
)
SERVICE_SPEC = struct(
    "v1.ServiceSpec",
    ports=merge_list(SERVICE_PORT, "port"),
    selector=STRING_MAP,
    clusterIP=STRING,
    clusterIPs=STRINGS,
    type=STRING,
    externalIPs=STRINGS,
    sessionAffinity=STRING,
    loadBalancerIP=STRING,
    loadBalancerSourceRanges=STRINGS,
    externalName=STRING,
    externalTrafficPolicy=STRING,
    healthCheckNodePort=INT32,
    publishNotReadyAddresses=BOOL,
    sessionAffinityConfig=struct(
        "v1.SessionAffinityConfig", clientIP=struct("v1.ClientIPConfig", timeoutSeconds=INT32)
    ),
    ipFamilies=STRINGS,
    ipFamilyPolicy=STRING,
    allocateLoadBalancerNodePorts=BOOL,
    loadBalancerClass=STRING,
    internalTrafficPolicy=STRING,
    trafficDistribution=STRING,
)
LOAD_BALANCER_INGRESS = struct(
    "v1.LoadBalancerIngress",
    ip=STRING,
    hostname=STRING,
    ipMode=STRING,
    ports=ListOf(struct("v1.PortStatus", port=INT32, protocol=STRING, error=STRING)),
)
SERVICE_STATUS = struct(
    "v1.ServiceStatus",
    loadBalancer=struct("v1.LoadBalancerStatus", ingress=ListOf(LOAD_BALANCER_INGRESS)),
    conditions=CONDITIONS,
)
SERVICE = top_level("v1.Service", spec=SERVICE_SPEC, status=SERVICE_STATUS)

# --- core/v1 Endpoints, discovery/v1 EndpointSlice ------------------------------------------------------

ENDPOINT_ADDRESS = struct(
    "v1.EndpointAddress", ip=STRING, hostname=STRING, nodeName=STRING, targetRef=OBJECT_REFERENCE
)
CORE_ENDPOINT_PORT = struct("v1.EndpointPort", name=STRING, port=INT32, protocol=STRING, appProtocol=STRING)
ENDPOINTS = top_level(
    "v1.Endpoints",
    subsets=ListOf(
        struct(
            "v1.EndpointSubset",
            addresses=ListOf(ENDPOINT_ADDRESS),
            notReadyAddresses=ListOf(ENDPOINT_ADDRESS),
            ports=ListOf(CORE_ENDPOINT_PORT),
        )
    ),
)
ENDPOINT = struct(
    "v1.Endpoint",
    addresses=STRINGS,
    conditions=struct("v1.EndpointConditions", ready=BOOL, serving=BOOL, terminating=BOOL),
    hostname=STRING,
    targetRef=OBJECT_REFERENCE,
    nodeName=STRING,
    zone=STRING,
    hints=struct(
        "v1.EndpointHints",
        forZones=ListOf(struct("v1.ForZone", name=STRING)),
        forNodes=ListOf(struct("v1.ForNode", name=STRING)),
    ),
    deprecatedTopology=STRING_MAP,
)
ENDPOINT_SLICE = top_level(
    "v1.EndpointSlice",
    addressType=STRING,
    endpoints=ListOf(ENDPOINT),
    ports=ListOf(struct("v1.EndpointPort", name=STRING, protocol=STRING, port=INT32, appProtocol=STRING)),
)

# --- core/v1 Pod ------------------------------------------------------------------------------------------

CONTAINER_PORT = struct(
    "v1.ContainerPort", name=STRING, hostPort=INT32, containerPort=INT32, protocol=STRING, hostIP=STRING
)
CONTAINER = struct(
    "v1.Container",
    name=STRING,
    image=STRING,
    command=STRINGS,
    args=STRINGS,
    workingDir=STRING,
    ports=merge_list(CONTAINER_PORT, "containerPort"),
    envFrom=ListOf(FREE),
    env=merge_list(struct("v1.EnvVar", name=STRING, value=STRING, valueFrom=FREE), "name"),
    resources=FREE,
    resizePolicy=ListOf(FREE),
    restartPolicy=STRING,
    volumeMounts=merge_list(FREE, "mountPath"),
    volumeDevices=merge_list(FREE, "devicePath"),
    livenessProbe=FREE,
    readinessProbe=FREE,
    startupProbe=FREE,
    lifecycle=FREE,
    terminationMessagePath=STRING,
    terminationMessagePolicy=STRING,
    imagePullPolicy=STRING,
    securityContext=FREE,
    stdin=BOOL,
    stdinOnce=BOOL,
    tty=BOOL,
)
VOLUME = struct("v1.Volume", open_=True, name=STRING)
POD_SPEC = struct(
    "v1.PodSpec",
    volumes=merge_list(VOLUME, "name", "merge,retainKeys"),
    initContainers=merge_list(CONTAINER, "name"),
    containers=merge_list(CONTAINER, "name"),
    ephemeralContainers=merge_list(FREE, "name"),
    restartPolicy=STRING,
    terminationGracePeriodSeconds=INT64,
    activeDeadlineSeconds=INT64,
    dnsPolicy=STRING,
    nodeSelector=STRING_MAP,
    serviceAccountName=STRING,
    serviceAccount=STRING,
    automountServiceAccountToken=BOOL,
    nodeName=STRING,
    hostNetwork=BOOL,
    hostPID=BOOL,
    hostIPC=BOOL,
    shareProcessNamespace=BOOL,
    securityContext=FREE,
    imagePullSecrets=merge_list(struct("v1.LocalObjectReference", name=STRING), "name"),
    hostname=STRING,
    subdomain=STRING,
    affinity=FREE,
    schedulerName=STRING,
    tolerations=ListOf(FREE),
    hostAliases=merge_list(FREE, "ip"),
    priorityClassName=STRING,
    priority=INT32,
    dnsConfig=FREE,
    readinessGates=ListOf(FREE),
    runtimeClassName=STRING,
    enableServiceLinks=BOOL,
    preemptionPolicy=STRING,
    overhead=MapOf(QUANTITY),
    topologySpreadConstraints=merge_list(FREE, "topologyKey"),
    setHostnameAsFQDN=BOOL,
    os=FREE,
    hostUsers=BOOL,
    schedulingGates=merge_list(FREE, "name"),
    resourceClaims=merge_list(FREE, "name"),
)
POD_STATUS = struct(
    "v1.PodStatus",
    phase=STRING,
    conditions=CONDITIONS,
    message=STRING,
    reason=STRING,
    nominatedNodeName=STRING,
    hostIP=STRING,
    hostIPs=ListOf(FREE),
    podIP=STRING,
    podIPs=merge_list(FREE, "ip"),
    startTime=TIME,
    initContainerStatuses=ListOf(FREE),
    containerStatuses=ListOf(FREE),
    qosClass=STRING,
    ephemeralContainerStatuses=ListOf(FREE),
    resize=STRING,
    resourceClaimStatuses=ListOf(FREE),
)
POD = top_level("v1.Pod", spec=POD_SPEC, status=POD_STATUS)
POD_TEMPLATE_SPEC = struct("v1.PodTemplateSpec", metadata=OBJECT_META, spec=POD_SPEC)

# --- apps/v1 --------------------------------------------------------------------------------------------

DEPLOYMENT_SPEC = struct(
    "v1.DeploymentSpec",
    replicas=INT32,
    selector=LABEL_SELECTOR,
    template=POD_TEMPLATE_SPEC,
    strategy=Field(
        struct(
            "v1.DeploymentStrategy",
            type=STRING,
            rollingUpdate=struct(
                "v1.RollingUpdateDeployment", maxUnavailable=INT_OR_STRING, maxSurge=INT_OR_STRING
            ),
        ),
        strategy="retainKeys",
    ),
    minReadySeconds=INT32,
    revisionHistoryLimit=INT32,
    paused=BOOL,
    progressDeadlineSeconds=INT32,
)
DEPLOYMENT_STATUS = struct(
    "v1.DeploymentStatus",
    observedGeneration=INT64,
    replicas=INT32,
    updatedReplicas=INT32,
    readyReplicas=INT32,
    availableReplicas=INT32,
    unavailableReplicas=INT32,
    conditions=CONDITIONS,
    collisionCount=INT32,
)
DEPLOYMENT = top_level("v1.Deployment", spec=DEPLOYMENT_SPEC, status=DEPLOYMENT_STATUS)
REPLICA_SET = top_level(
    "v1.ReplicaSet",
    spec=struct(
        "v1.ReplicaSetSpec",
        replicas=INT32,
        minReadySeconds=INT32,
        selector=LABEL_SELECTOR,
        template=POD_TEMPLATE_SPEC,
    ),
    status=struct(
        "v1.ReplicaSetStatus",
        replicas=INT32,
        fullyLabeledReplicas=INT32,
        readyReplicas=INT32,
        availableReplicas=INT32,
        observedGeneration=INT64,
        conditions=CONDITIONS,
    ),
)
SCALE = top_level(
    "v1.Scale",
    spec=struct("v1.ScaleSpec", replicas=INT32),
    status=struct("v1.ScaleStatus", replicas=INT32, selector=STRING),
)

# --- cluster-scoped -----------------------------------------------------------------------------------

NAMESPACE = top_level(
    "v1.Namespace",
    spec=struct("v1.NamespaceSpec", finalizers=STRINGS),
    status=struct("v1.NamespaceStatus", phase=STRING, conditions=CONDITIONS),
)
NODE = top_level(
    "v1.Node",
    spec=struct(
        "v1.NodeSpec",
        podCIDR=STRING,
        podCIDRs=Field(STRINGS, strategy="merge"),
        providerID=STRING,
        unschedulable=BOOL,
        taints=ListOf(FREE),
        configSource=FREE,
        externalID=STRING,
    ),
    status=FREE,
)

KIND_SCHEMAS: dict[str, Struct] = {
    "Service": SERVICE,
    "Endpoints": ENDPOINTS,
    "EndpointSlice": ENDPOINT_SLICE,
    "Pod": POD,
    "Deployment": DEPLOYMENT,
    "ReplicaSet": REPLICA_SET,
    "Namespace": NAMESPACE,
    "Node": NODE,
    "Scale": SCALE,
}


def schema_for(kind: str) -> Struct | None:
    return KIND_SCHEMAS.get(kind)
