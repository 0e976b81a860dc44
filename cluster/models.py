"""The simulated cluster as stored: one sandbox (Cluster) and its Kubernetes objects.

Each Kubernetes object keeps its whole API form in `body` (metadata, spec, status), so YAML and
the Kubernetes API round-trip without loss; the columns beside it are indexes for lookups.
Every field of a Service the apiserver knows (type, ports with name / protocol / port /
targetPort / nodePort, selector, clusterIP(s), sessionAffinity and its timeout, external and
internal traffic policy, allocateLoadBalancerNodePorts, healthCheckNodePort,
loadBalancerSourceRanges, load-balancer status) lives in `body` exactly as in Kubernetes.
"""

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cluster.sim.objects import ClusterSettings
from cluster.watch_tokens import token_digest, watch_token_for


def presence_lease() -> timedelta:
    return timedelta(seconds=settings.CLASS_PRESENCE_SECONDS)


def _token() -> str:
    return secrets.token_urlsafe(24)


class ProxyMode(models.TextChoices):
    IPTABLES = "iptables", "iptables"
    IPVS = "ipvs", "IPVS"
    NFTABLES = "nftables", "nftables"


class Cluster(models.Model):
    """A sandbox: one simulated cluster with its own settings, owner and resourceVersion counter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=63, unique=True)
    service_cidr = models.CharField(max_length=43, default="10.96.0.0/12")
    node_port_min = models.PositiveIntegerField(default=30000)
    node_port_max = models.PositiveIntegerField(default=32767)
    max_endpoints_per_slice = models.PositiveIntegerField(
        default=100, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    proxy_mode = models.CharField(max_length=10, choices=ProxyMode.choices, default=ProxyMode.IPTABLES)
    lb_pool = models.JSONField(default=list, blank=True)
    # The preset the sandbox was made from: what a reset returns it to ("" for sandboxes made before).
    preset = models.CharField(max_length=32, blank=True, default="")
    # The lesson or broken-cluster scenario this sandbox was made for ("" for a free sandbox).
    lesson = models.CharField(max_length=64, blank=True, default="", db_index=True)
    owner = models.CharField(max_length=64, blank=True, default="")
    access_token = models.CharField(max_length=64, unique=True, default=_token)
    # The read-only link's token is derived from the access token; only its digest is stored (see
    # cluster/watch_tokens.py). A link made before that keeps working, by its digest, until rotation.
    watch_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    legacy_watch_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True,
                                               default=None, editable=False)
    # The Kubernetes resourceVersion and the event sequence number: one counter per sandbox.
    resource_version = models.BigIntegerField(default=0)
    # kube-proxy state a real node keeps between connections: ClientIP affinity, IPVS cursors.
    dataplane_state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_active = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_endpoints_per_slice__gte=1, max_endpoints_per_slice__lte=1000),
                name="cluster_max_endpoints_per_slice_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.watch_token_hash:
            self.watch_token_hash = token_digest(self.watch_token)
        super().save(*args, **kwargs)

    @property
    def watch_token(self) -> str:
        return watch_token_for(self.access_token)

    @property
    def settings(self) -> ClusterSettings:
        return ClusterSettings(
            service_cidr=self.service_cidr,
            node_port_min=self.node_port_min,
            node_port_max=self.node_port_max,
            max_endpoints_per_slice=self.max_endpoints_per_slice,
            proxy_mode=self.proxy_mode,
            lb_pool=tuple(self.lb_pool or ()),
        )


class KubeObject(models.Model):
    """Columns shared by every stored Kubernetes object; `body` is the source of truth."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    namespace = models.CharField(max_length=63, blank=True, default="")
    name = models.CharField(max_length=253)
    uid = models.UUIDField(default=uuid.uuid4)
    resource_version = models.BigIntegerField(default=0)
    body = models.JSONField()

    class Meta:
        abstract = True
        ordering = ["namespace", "name"]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


def _unique_name(kind: str) -> list[models.UniqueConstraint]:
    return [models.UniqueConstraint(fields=["cluster", "namespace", "name"], name=f"{kind}_unique_name")]


class Namespace(KubeObject):
    class Meta(KubeObject.Meta):
        constraints = _unique_name("namespace")


class Node(KubeObject):
    class Meta(KubeObject.Meta):
        constraints = _unique_name("node")


class Pod(KubeObject):
    node_name = models.CharField(max_length=253, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    # What the controllers count (ReplicaSet and Deployment status, Endpoints) without the bodies.
    owner_uid = models.CharField(max_length=36, blank=True, default="")  # the controller ownerReference
    ready = models.BooleanField(default=False)
    terminating = models.BooleanField(default=False)
    terminal = models.BooleanField(default=False)  # phase Succeeded or Failed

    class Meta(KubeObject.Meta):
        constraints = [
            *_unique_name("pod"),
            models.UniqueConstraint(fields=["cluster", "ip"], name="pod_unique_ip"),
        ]
        indexes = [
            # Covers a ReplicaSet's count of its active and ready pods.
            models.Index(fields=["cluster", "namespace", "owner_uid", "terminating", "ready"], name="pod_owner"),
            models.Index(fields=["cluster", "node_name"], name="pod_node"),  # pending pods, pods per node
            models.Index(fields=["cluster", "terminal"], name="pod_terminal"),  # the pods quota counts
        ]


class Deployment(KubeObject):
    class Meta(KubeObject.Meta):
        constraints = _unique_name("deployment")


class ReplicaSet(KubeObject):
    class Meta(KubeObject.Meta):
        constraints = _unique_name("replicaset")


class Service(KubeObject):
    class Meta(KubeObject.Meta):
        constraints = _unique_name("service")


class Endpoints(KubeObject):
    class Meta(KubeObject.Meta):
        constraints = _unique_name("endpoints")
        verbose_name_plural = "endpoints"


class EndpointSlice(KubeObject):
    service_name = models.CharField(max_length=253, blank=True, default="", db_index=True)
    # What the EndpointSlice controller weighs a slice by when it need not read its endpoints.
    managed_by = models.CharField(max_length=253, blank=True, default="")
    owner_uid = models.CharField(max_length=36, blank=True, default="")  # the controller ownerReference
    address_type = models.CharField(max_length=8, blank=True, default="")
    endpoint_count = models.PositiveIntegerField(default=0)

    class Meta(KubeObject.Meta):
        constraints = _unique_name("endpointslice")
        indexes = [
            # Covers the sizes of a Service's slices, so the bodies (100 endpoints each) stay unread.
            models.Index(fields=["cluster", "namespace", "service_name", "managed_by", "name", "owner_uid",
                                 "address_type", "endpoint_count"], name="endpointslice_sizes"),
        ]


class LabelPair(models.Model):
    """One label of a Pod, or one pair of a Service's selector (kind "Pod" or "Service"), with how
    many pairs the object has: "which pods does this selector pick" and "which Services select
    these labels" become index lookups instead of reading every object."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    namespace = models.CharField(max_length=63, blank=True, default="")
    name = models.CharField(max_length=253)
    key = models.CharField(max_length=317)
    value = models.CharField(max_length=63, blank=True, default="")
    size = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["cluster", "kind", "namespace", "key", "value"], name="labelpair_pair"),
            models.Index(fields=["cluster", "kind", "namespace", "name", "key", "value"], name="labelpair_object"),
        ]


class OwnerReference(models.Model):
    """One ownerReference of a ReplicaSet, Pod or EndpointSlice: what the garbage collector and a
    ReplicaSet find their dependents by, without reading every object."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    namespace = models.CharField(max_length=63, blank=True, default="")
    name = models.CharField(max_length=253)
    owner_uid = models.CharField(max_length=36)

    class Meta:
        indexes = [
            models.Index(fields=["cluster", "owner_uid", "kind"], name="ownerreference_owner"),
            models.Index(fields=["cluster", "kind", "namespace", "name"], name="ownerreference_object"),
        ]


class SliceEndpoint(models.Model):
    """Which EndpointSlice holds a pod's endpoint: the slices a pod change touches are a lookup."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    namespace = models.CharField(max_length=63, blank=True, default="")
    slice_name = models.CharField(max_length=253)
    pod_name = models.CharField(max_length=253)

    class Meta:
        indexes = [
            models.Index(fields=["cluster", "namespace", "pod_name"], name="sliceendpoint_pod"),
            models.Index(fields=["cluster", "namespace", "slice_name"], name="sliceendpoint_slice"),
        ]


class ClusterIPAllocation(models.Model):
    """One row per allocated ClusterIP: the unique constraint makes two racing writes exclusive."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField()
    service_uid = models.UUIDField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "ip"], name="clusterip_unique")]


class NodePortAllocation(models.Model):
    """One row per allocated nodePort (TCP and UDP share a number, as in the real bitmap)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    port = models.PositiveIntegerField()
    service_uid = models.UUIDField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "port"], name="nodeport_unique")]


class Event(models.Model):
    """The ordered change log: seq is the resourceVersion the change gave the object."""

    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"
    TYPES = [(t, t) for t in (ADDED, MODIFIED, DELETED)]

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=8, choices=TYPES)
    kind = models.CharField(max_length=32)
    namespace = models.CharField(max_length=63, blank=True, default="")
    name = models.CharField(max_length=253)
    object = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "seq"], name="event_unique_seq")]
        ordering = ["seq"]

    def as_wire(self) -> dict:
        return {"seq": self.seq, "type": self.type, "kind": self.kind, "object": self.object}


class Trace(models.Model):
    """One traced request, stored so it can be replayed."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    body = models.JSONField()
    # The sandbox's resourceVersion when the request was sent: the objects it passed are rebuilt
    # from the event log at this seq. token: the permalink's unguessable key (never the id).
    seq = models.BigIntegerField(null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, null=True, blank=True, default=None)

    class Meta:
        ordering = ["-id"]


class LessonProgress(models.Model):
    """A learner's progress through the lesson of one sandbox (the sandbox belongs to the learner).

    `done` lists finished step ids, in order: a step once checked stays done, even if a later step
    changes the state it looked at. `observations` records what the state alone cannot show (a
    command run, a refused write, a view opened, a prediction answered), newest last, bounded."""

    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE, related_name="lesson_progress")
    done = models.JSONField(default=list, blank=True)
    observations = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


# --- classes ----------------------------------------------------------------------------------------

# Join codes: no 0/O, 1/I/L, so a code read off a projector is typed right.
CLASS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CLASS_CODE_LENGTH = 6


class Class(models.Model):
    """A class: a teacher's sandbox shown to students who joined with the code.

    `state` is what every student's screen follows: the current trace and hop, paused, speed,
    selection, the current question (its answer stays on the server until the reveal), the
    spotlighted student, the release round. `seq` numbers the messages sent to the class (each one
    is also kept in ClassMessage), so a reconnecting screen gets exactly what it missed."""

    code = models.CharField(max_length=CLASS_CODE_LENGTH, unique=True)
    # The class sandbox's access token when the class was made: it opens the sandbox too.
    teacher_token = models.CharField(max_length=64, default=_token)
    sandbox = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="classes")
    lesson = models.CharField(max_length=64, blank=True, default="")
    follow = models.BooleanField(default=True)
    state = models.JSONField(default=dict, blank=True)
    seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "classes"

    def __str__(self) -> str:
        return self.code


class ClassStudent(models.Model):
    """One student of a class: a display name (plain text), a secret token to come back with, and
    the student's own copy of the teacher's sandbox once the teacher releases control."""

    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="students")
    name = models.CharField(max_length=40)
    token = models.CharField(max_length=64, unique=True, default=_token)
    # Presence: the student's open screens, and when one of them last renewed its lease. A screen
    # whose server process died never says goodbye, so a lapsed lease counts as gone.
    sockets = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change the roster shows, so a teacher's screen keeps the newest of two updates.
    version = models.PositiveIntegerField(default=0)
    copy = models.ForeignKey(Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    copy_round = models.PositiveIntegerField(default=0)  # the release the copy was made for
    answers = models.JSONField(default=dict, blank=True)  # {question id: choice index}
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def present(self, now: datetime) -> bool:
        return bool(self.sockets) and self.seen_at is not None and now - self.seen_at <= presence_lease()


class ClassMessage(models.Model):
    """The class's message log: what every student was sent, by seq (kept for resuming)."""

    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    body = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["klass", "seq"], name="classmessage_unique_seq")]
        ordering = ["seq"]
