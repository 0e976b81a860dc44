// Pure model of one sandbox: snapshot + events -> model -> derived view.
// No DOM, no globals: everything here runs under `node --test` (tests/js/test_state.mjs).

const CLUSTER_SCOPED = new Set(["Node", "Namespace"]);

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const ZONE_LABEL = "topology.kubernetes.io/zone";

export function objectKey(kind, obj) {
  const meta = (obj && obj.metadata) || {};
  const name = meta.name || "";
  if (CLUSTER_SCOPED.has(kind)) return name;
  return `${meta.namespace || "default"}/${name}`;
}

export function emptyModel() {
  return { seq: null, revision: 0, cluster: null, settings: {}, actions: {}, objects: {} };
}

function indexObjects(objects) {
  const out = {};
  for (const [kind, list] of Object.entries(objects || {})) {
    const map = new Map();
    for (const obj of list || []) map.set(objectKey(kind, obj), obj);
    out[kind] = map;
  }
  return out;
}

/** A whole snapshot replaces the model. */
export function applySnapshot(model, msg) {
  const cluster = msg.cluster || {};
  return {
    seq: typeof msg.seq === "number" ? msg.seq : null,
    revision: (model ? model.revision : 0) + 1,
    cluster: { id: cluster.id, name: cluster.name },
    settings: { ...(cluster.settings || {}) },
    actions: { ...(msg.actions || (model && model.actions) || {}) },
    objects: indexObjects(msg.objects),
  };
}

/**
 * Apply an ordered batch of events. Events at or below model.seq are ignored (duplicates after a
 * resume). Gap detection is the socket's job (socket.js sequenceEvents); this stays tolerant.
 * Returns a new model; maps of untouched kinds are shared with the old model.
 */
export function applyEvents(model, events) {
  if (!model || model.seq === null || model.seq === undefined) return model;
  let seq = model.seq;
  let objects = null;
  const copied = new Set();
  for (const ev of [...(events || [])].sort((a, b) => a.seq - b.seq)) {
    if (typeof ev.seq !== "number" || ev.seq <= seq) continue;
    seq = ev.seq;
    if (!ev.kind || !ev.object) continue;
    if (!objects) objects = { ...model.objects };
    if (!copied.has(ev.kind)) {
      objects[ev.kind] = new Map(objects[ev.kind] || []);
      copied.add(ev.kind);
    }
    const key = objectKey(ev.kind, ev.object);
    if (ev.type === "DELETED") objects[ev.kind].delete(key);
    else objects[ev.kind].set(key, ev.object);
  }
  if (seq === model.seq) return model;
  return { ...model, seq, revision: model.revision + 1, objects: objects || model.objects };
}

// --- Kubernetes object readers ------------------------------------------------------------------

function list(model, kind) {
  const map = model.objects[kind];
  return map ? [...map.values()] : [];
}

function condition(obj, type) {
  for (const c of (obj.status && obj.status.conditions) || []) {
    if (c.type === type) return c.status === "True";
  }
  return false;
}

// Numbers in names compare as numbers: node-2 comes before node-10.
const NATURAL = new Intl.Collator("en", { numeric: true });

function byName(a, b) {
  return NATURAL.compare(a.key, b.key);
}

// Kubernetes names ([a-z0-9.-], "/" between namespace and name) sort the same by plain string
// order once their numbers are zero-padded: many times faster than the collator at 10,000 pods.
const PLAIN_NAME = /^[a-z0-9./-]*$/;
const paddedKeys = new Map();
function padded(key) {
  let p = paddedKeys.get(key);
  if (p === undefined) {
    if (paddedKeys.size > 100000) paddedKeys.clear();
    p = PLAIN_NAME.test(key) ? key.replace(/\d+/g, (d) => d.replace(/^0+(?=\d)/, "").padStart(12, "0")) : null;
    paddedKeys.set(key, p);
  }
  return p;
}

// The padded key of each view object (pod views are kept from one derive to the next).
const viewKeys = new WeakMap();
function viewKey(v) {
  let k = viewKeys.get(v);
  if (k === undefined) {
    k = padded(v.key);
    viewKeys.set(v, k);
  }
  return k;
}

/** The items in byName order (after `first(item)`, a small number, when given). */
function sortByName(items, first = null) {
  const keys = items.map(viewKey);
  if (keys.includes(null)) return items.sort(first ? (a, b) => first(a) - first(b) || byName(a, b) : byName);
  const ranks = first ? items.map(first) : null;
  const order = items.map((_, i) => i);
  order.sort((i, j) => (ranks && ranks[i] - ranks[j]) || (keys[i] < keys[j] ? -1 : keys[i] > keys[j] ? 1 : 0));
  return order.map((i) => items[i]);
}

export function labelsText(labels) {
  return Object.entries(labels || {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** A test of labels against `selector` (an empty selector matches nothing), made once per selector. */
export function selectorMatcher(selector) {
  const entries = Object.entries(selector || {});
  if (!entries.length) return () => false;
  return (labels) => entries.every(([k, v]) => (labels || {})[k] === v);
}

export function selectorMatches(selector, labels) {
  return selectorMatcher(selector)(labels);
}

// Events replace a changed object, never edit it: an unchanged pod keeps its (read-only) view.
const podViews = new WeakMap();
function cachedPodView(pod) {
  let v = podViews.get(pod);
  if (!v) {
    v = podView(pod);
    podViews.set(pod, v);
  }
  return v;
}

export function podView(pod) {
  const meta = pod.metadata || {};
  const spec = pod.spec || {};
  const status = pod.status || {};
  const ready = condition(pod, "Ready");
  const terminating = Boolean(meta.deletionTimestamp);
  const phase = status.phase || "Pending";
  const ports = [];
  for (const c of spec.containers || []) {
    for (const p of c.ports || []) ports.push({ protocol: "TCP", ...p });
  }
  let state = "notready";
  if (terminating) state = "terminating";
  else if (ready) state = "ready";
  else if (phase === "Pending" || !status.podIP) state = "pending";
  const owner = (meta.ownerReferences || [])[0];
  return {
    kind: "Pod",
    key: objectKey("Pod", pod),
    name: meta.name || "",
    namespace: meta.namespace || "default",
    labels: meta.labels || {},
    ip: status.podIP || "",
    node: spec.nodeName || "",
    phase,
    ready,
    terminating,
    state,
    ports,
    owner: owner ? `${owner.kind}/${owner.name}` : "",
  };
}

function nodeAddress(node, type) {
  for (const a of (node.status && node.status.addresses) || []) if (a.type === type) return a.address;
  return "";
}

export function nodeView(node) {
  const meta = node.metadata || {};
  return {
    kind: "Node",
    key: objectKey("Node", node),
    name: meta.name || "",
    zone: (meta.labels || {})[ZONE_LABEL] || "",
    internalIP: nodeAddress(node, "InternalIP"),
    externalIP: nodeAddress(node, "ExternalIP"),
    podCIDR: (node.spec && node.spec.podCIDR) || "",
    ready: condition(node, "Ready"),
    schedulable: !(node.spec && node.spec.unschedulable),
    pods: [],
    counts: { total: 0, ready: 0, notready: 0, terminating: 0, pending: 0 },
  };
}

/** kubectl's PORT(S) column entry: `80:30123/TCP` (nodePort only when set). */
export function portText(p) {
  const proto = p.protocol || "TCP";
  return p.nodePort ? `${p.port}:${p.nodePort}/${proto}` : `${p.port}/${proto}`;
}

export function serviceView(svc, clusterDomain = "cluster.local") {
  const meta = svc.metadata || {};
  const spec = svc.spec || {};
  const type = spec.type || "ClusterIP";
  const ingress = (((svc.status || {}).loadBalancer || {}).ingress || []).map((i) => i.ip || i.hostname).filter(Boolean);
  const ports = (spec.ports || []).map((p) => ({
    name: p.name || "",
    protocol: p.protocol || "TCP",
    port: p.port,
    targetPort: p.targetPort === undefined || p.targetPort === null ? p.port : p.targetPort,
    nodePort: p.nodePort || null,
  }));
  const namespace = meta.namespace || "default";
  return {
    kind: "Service",
    key: objectKey("Service", svc),
    name: meta.name || "",
    namespace,
    type,
    clusterIP: spec.clusterIP || "",
    headless: spec.clusterIP === "None",
    ports,
    portsText: ports.map(portText).join(","),
    selector: spec.selector || {},
    selectorText: labelsText(spec.selector),
    sessionAffinity: spec.sessionAffinity || "None",
    externalTrafficPolicy: spec.externalTrafficPolicy || (type === "NodePort" || type === "LoadBalancer" ? "Cluster" : ""),
    internalTrafficPolicy: spec.internalTrafficPolicy || "Cluster",
    lbIPs: type === "LoadBalancer" ? ingress : [],
    lbPending: type === "LoadBalancer" && ingress.length === 0,
    dns: `${meta.name}.${namespace}.svc.${clusterDomain}`,
    endpoints: null,
    slices: [],
    selectedPods: [],
  };
}

export function endpointsView(ep) {
  const meta = ep.metadata || {};
  const ready = [];
  const notReady = [];
  const ports = [];
  for (const subset of ep.subsets || []) {
    const sp = subset.ports || [];
    for (const p of sp) ports.push({ name: p.name || "", port: p.port, protocol: p.protocol || "TCP" });
    const addr = (a, isReady) => ({
      ip: a.ip,
      ports: sp.map((p) => p.port),
      node: a.nodeName || "",
      pod: a.targetRef && a.targetRef.kind === "Pod" ? `${a.targetRef.namespace || meta.namespace}/${a.targetRef.name}` : "",
      ready: isReady,
    });
    for (const a of subset.addresses || []) ready.push(addr(a, true));
    for (const a of subset.notReadyAddresses || []) notReady.push(addr(a, false));
  }
  return {
    kind: "Endpoints",
    key: objectKey("Endpoints", ep),
    name: meta.name || "",
    namespace: meta.namespace || "default",
    ready,
    notReady,
    ports,
    total: ready.length + notReady.length,
  };
}

export function sliceView(slice) {
  const meta = slice.metadata || {};
  const endpoints = (slice.endpoints || []).map((e) => {
    const c = e.conditions || {};
    // The API treats a nil condition as "unknown"; kube-proxy treats nil ready as ready.
    const ready = c.ready !== false;
    const serving = c.serving === undefined ? ready : c.serving !== false;
    const terminating = c.terminating === true;
    const ref = e.targetRef;
    return {
      ip: (e.addresses || [])[0] || "",
      addresses: e.addresses || [],
      ready,
      serving,
      terminating,
      state: terminating ? "terminating" : ready ? "ready" : "notready",
      node: e.nodeName || "",
      zone: e.zone || "",
      pod: ref && ref.kind === "Pod" ? `${ref.namespace || meta.namespace}/${ref.name}` : "",
    };
  });
  const counts = { total: endpoints.length, ready: 0, serving: 0, terminating: 0, notready: 0 };
  for (const e of endpoints) {
    if (e.ready) counts.ready += 1;
    else counts.notready += 1;
    if (e.serving) counts.serving += 1;
    if (e.terminating) counts.terminating += 1;
  }
  return {
    kind: "EndpointSlice",
    key: objectKey("EndpointSlice", slice),
    name: meta.name || "",
    namespace: meta.namespace || "default",
    service: ((meta.labels || {})[SERVICE_NAME_LABEL]) || "",
    addressType: slice.addressType || "IPv4",
    ports: (slice.ports || []).map((p) => ({ name: p.name || "", port: p.port, protocol: p.protocol || "TCP" })),
    endpoints,
    counts,
  };
}

export function deploymentView(dep) {
  const meta = dep.metadata || {};
  const spec = dep.spec || {};
  const status = dep.status || {};
  return {
    kind: "Deployment",
    key: objectKey("Deployment", dep),
    name: meta.name || "",
    namespace: meta.namespace || "default",
    replicas: spec.replicas ?? 1,
    readyReplicas: status.readyReplicas || 0,
    availableReplicas: status.availableReplicas || 0,
    selector: ((spec.selector || {}).matchLabels) || {},
  };
}

const STATE_ORDER = { ready: 0, notready: 1, pending: 2, terminating: 3 };

/**
 * Everything the pictures and tables need, computed once per model revision.
 * Sorted deterministically so layouts do not jump between renders.
 */
/**
 * A node's pods grouped by the Services that select them (pods of no Service last), each group by
 * state then name; `podGroups` gives each group's run in that order: {services, start, count}.
 * groupOf: pod key -> its Services' keys joined (absent: no Service).
 */
function groupPodsByService(node, groupOf, servicesOf) {
  const keys = new Set();
  for (const p of node.pods) keys.add(groupOf.get(p.key) || "");
  const names = [...keys].sort((a, b) => (a === "") - (b === "") || (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map(names.map((g, i) => [g, i * 10]));
  node.pods = names.length === 1
    ? sortByName(node.pods, (p) => STATE_ORDER[p.state])
    : sortByName(node.pods, (p) => rank.get(groupOf.get(p.key) || "") + STATE_ORDER[p.state]);
  node.podGroups = [];
  let last = null;
  node.pods.forEach((p, i) => {
    const key = names.length === 1 ? names[0] : groupOf.get(p.key) || "";
    if (last && last.key === key) last.count += 1;
    else node.podGroups.push((last = { key, services: servicesOf.get(p.key) || [], start: i, count: 1 }));
  });
}

export function deriveView(model) {
  if (!model || model.seq === null || model.seq === undefined) return null;
  const settings = model.settings || {};
  const clusterDomain = settings.clusterDomain || "cluster.local";

  const nodes = sortByName(list(model, "Node").map(nodeView));
  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  const pods = sortByName(list(model, "Pod").map(cachedPodView));
  const podByKey = new Map(pods.map((p) => [p.key, p]));
  const podByIP = new Map();
  const unscheduled = [];
  for (const p of pods) {
    if (p.ip) podByIP.set(p.ip, p);
    const node = nodeByName.get(p.node);
    if (!node) {
      unscheduled.push(p);
      continue;
    }
    node.pods.push(p);
    node.counts.total += 1;
    node.counts[p.state] += 1;
  }

  const services = sortByName(list(model, "Service").map((s) => serviceView(s, clusterDomain)));
  const serviceByKey = new Map(services.map((s) => [s.key, s]));
  for (const ep of list(model, "Endpoints")) {
    const v = endpointsView(ep);
    const svc = serviceByKey.get(v.key);
    if (svc) svc.endpoints = v;
  }
  const slices = sortByName(list(model, "EndpointSlice").map(sliceView));
  const orphanSlices = [];
  for (const sl of slices) {
    const svc = serviceByKey.get(`${sl.namespace}/${sl.service}`);
    if (svc) svc.slices.push(sl);
    else orphanSlices.push(sl);
  }
  const servicesOf = new Map(); // pod key -> keys of the Services that select it
  for (const svc of services) {
    const matches = selectorMatcher(svc.selector);
    svc.selectedPods = pods.filter((p) => p.namespace === svc.namespace && matches(p.labels)).map((p) => p.key);
    for (const key of svc.selectedPods) {
      const keys = servicesOf.get(key);
      if (keys) keys.push(svc.key);
      else servicesOf.set(key, [svc.key]);
    }
  }
  const groupOf = new Map();
  for (const [key, keys] of servicesOf) groupOf.set(key, keys.length === 1 ? keys[0] : keys.join(" "));
  for (const n of nodes) groupPodsByService(n, groupOf, servicesOf);

  const nodePorts = [];
  for (const svc of services) {
    for (const p of svc.ports) {
      if (p.nodePort) nodePorts.push({ service: svc.key, name: svc.name, nodePort: p.nodePort, port: p.port, protocol: p.protocol });
    }
  }
  nodePorts.sort((a, b) => a.nodePort - b.nodePort || (a.protocol < b.protocol ? -1 : 1));

  const deployments = sortByName(list(model, "Deployment").map(deploymentView));
  const podCounts = { total: pods.length, ready: 0, notready: 0, terminating: 0, pending: 0 };
  for (const p of pods) podCounts[p.state] += 1;

  return {
    revision: model.revision,
    seq: model.seq,
    cluster: model.cluster || {},
    settings,
    actions: model.actions || {},
    nodes,
    nodeByName,
    pods,
    podByKey,
    podByIP,
    unscheduled,
    services,
    serviceByKey,
    slices,
    orphanSlices,
    nodePorts,
    deployments,
    podCounts,
    namespaces: list(model, "Namespace").map((n) => (n.metadata || {}).name).filter(Boolean).sort(),
  };
}

// --- Request targets (the "send a request" panel) -----------------------------------------------

/**
 * Sources and destinations a student can pick, built from the view.
 * Destinations: every LB ip:port, nodeIP:nodePort (internal and external), clusterIP:port,
 * DNS name:port, and podIP:containerPort. `limitPods` caps pod entries (free text covers the rest).
 */
export function requestTargets(view, { limitPods = 300 } = {}) {
  const sources = [{ kind: "external", value: "external" }];
  const destinations = [];
  if (!view) return { sources, destinations, podsTruncated: 0 };
  for (const n of view.nodes) sources.push({ kind: "node", value: `node/${n.name}`, name: n.name, ip: n.internalIP });
  const runnable = view.pods.filter((p) => p.ip && !p.terminating);
  for (const p of runnable.slice(0, limitPods)) {
    sources.push({ kind: "pod", value: `pod/${p.namespace}/${p.name}`, name: p.name, namespace: p.namespace, ip: p.ip });
  }
  for (const svc of view.services) {
    for (const ip of svc.lbIPs) {
      for (const p of svc.ports) destinations.push({ kind: "lb", value: `${ip}:${p.port}`, service: svc.name, port: p });
    }
  }
  for (const svc of view.services) {
    for (const p of svc.ports) {
      if (!p.nodePort) continue;
      for (const n of view.nodes) {
        if (n.internalIP) destinations.push({ kind: "nodePort", value: `${n.internalIP}:${p.nodePort}`, service: svc.name, node: n.name, address: "InternalIP", port: p });
        if (n.externalIP) destinations.push({ kind: "nodePort", value: `${n.externalIP}:${p.nodePort}`, service: svc.name, node: n.name, address: "ExternalIP", port: p });
      }
    }
  }
  for (const svc of view.services) {
    if (!svc.clusterIP || svc.headless) continue;
    for (const p of svc.ports) destinations.push({ kind: "clusterIP", value: `${svc.clusterIP}:${p.port}`, service: svc.name, port: p });
  }
  for (const svc of view.services) {
    for (const p of svc.ports) destinations.push({ kind: "dns", value: `${svc.dns}:${p.port}`, service: svc.name, port: p });
  }
  for (const pod of runnable.slice(0, limitPods)) {
    const ports = pod.ports.length ? pod.ports : [{ containerPort: 80 }];
    for (const p of ports) destinations.push({ kind: "pod", value: `${pod.ip}:${p.containerPort}`, pod: pod.name });
  }
  return { sources, destinations, podsTruncated: Math.max(0, runnable.length - limitPods) };
}

/** `{namespace}` / `{name}` placeholders in a server-provided action URL template. */
export function actionUrl(template, params) {
  if (!template) return "";
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in params ? encodeURIComponent(params[k]) : m));
}

/** Count where a batch of traces ended up: [{pod, count}], most first; plus outcome counts. */
export function tallyTraces(traces) {
  const byPod = new Map();
  const outcomes = {};
  for (const tr of traces || []) {
    outcomes[tr.outcome] = (outcomes[tr.outcome] || 0) + 1;
    const ep = tr.endpoint;
    if (tr.outcome === "delivered" && ep && ep.pod) {
      const k = ep.namespace ? `${ep.namespace}/${ep.pod}` : ep.pod;
      const cur = byPod.get(k) || { pod: ep.pod, namespace: ep.namespace || "", node: ep.node || "", count: 0 };
      cur.count += 1;
      byPod.set(k, cur);
    }
  }
  const pods = [...byPod.values()].sort((a, b) => b.count - a.count || (a.pod < b.pod ? -1 : 1));
  return { total: (traces || []).length, pods, outcomes };
}
