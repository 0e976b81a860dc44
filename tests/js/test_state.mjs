import { test } from "node:test";
import assert from "node:assert/strict";
import { actionUrl, applyEvents, applySnapshot, deriveView, emptyModel, objectKey, portText, requestTargets, tallyTraces } from "../../static/js/state.js";
import { nodeStatus } from "../../static/js/i18n.js";
import { kubiaFixture, bigSnapshot } from "./helpers.mjs";

const fx = kubiaFixture();
const base = () => applySnapshot(emptyModel(), fx.snapshot);
const pod = (name, node, ip, ready = true, extra = {}) => ({
  metadata: { name, namespace: "default", labels: { app: "kubia" }, ...extra },
  spec: { nodeName: node, containers: [{ name: "c", ports: [{ containerPort: 8080 }] }] },
  status: { phase: "Running", podIP: ip, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});

test("objectKey: namespaced kinds get ns/name, nodes their name", () => {
  assert.equal(objectKey("Pod", { metadata: { name: "a", namespace: "x" } }), "x/a");
  assert.equal(objectKey("Pod", { metadata: { name: "a" } }), "default/a");
  assert.equal(objectKey("Node", { metadata: { name: "n1" } }), "n1");
});

test("a snapshot replaces the model and sets seq", () => {
  const m = base();
  assert.equal(m.seq, fx.snapshot.seq);
  assert.equal(m.objects.Pod.size, 3);
  assert.equal(m.objects.Service.size, 3);
  assert.equal(m.actions.podDelete, "/clusters/demo/pods/{namespace}/{name}/delete/");
  const again = applySnapshot(m, { ...fx.snapshot, seq: 500, objects: { Node: [] } });
  assert.equal(again.seq, 500);
  assert.equal(again.objects.Pod, undefined);
  assert.ok(again.revision > m.revision);
});

test("events add, modify and delete objects; old model untouched", () => {
  const m = base();
  const s = m.seq;
  const m2 = applyEvents(m, [
    { seq: s + 1, type: "ADDED", kind: "Pod", object: pod("new", "node-1", "10.244.0.9") },
    { seq: s + 2, type: "MODIFIED", kind: "Pod", object: pod("new", "node-1", "10.244.0.9", false) },
    { seq: s + 3, type: "DELETED", kind: "Service", object: { metadata: { name: "kubia", namespace: "default" } } },
  ]);
  assert.equal(m2.seq, s + 3);
  assert.equal(m2.objects.Pod.size, 4);
  assert.equal(m2.objects.Service.size, 2);
  assert.equal(m.objects.Pod.size, 3, "the previous model is not mutated");
  assert.equal(m2.objects.Node, m.objects.Node, "untouched kinds are shared");
  const v = deriveView(m2);
  assert.equal(v.podByKey.get("default/new").state, "notready");
});

test("events at or below seq are ignored (duplicates after resume)", () => {
  const m = base();
  const same = applyEvents(m, [{ seq: m.seq, type: "DELETED", kind: "Pod", object: fx.snapshot.objects.Pod[0] }]);
  assert.equal(same, m);
  assert.equal(applyEvents(emptyModel(), [{ seq: 1, type: "ADDED", kind: "Pod", object: pod("a", "n", "1.1.1.1") }]).objects.Pod, undefined);
});

test("deriveView: nodes with their pods, services with endpoints and slices", () => {
  const v = deriveView(base());
  assert.deepEqual(v.nodes.map((n) => n.name), ["node-1", "node-2", "node-3"]);
  assert.equal(v.nodes[0].internalIP, "10.0.0.11");
  assert.equal(v.nodes[0].externalIP, "130.211.97.55");
  assert.equal(v.nodes[0].pods.length, 1);
  assert.equal(v.nodes[0].counts.ready, 1);
  const np = v.serviceByKey.get("default/kubia-nodeport");
  assert.equal(np.portsText, "80:30123/TCP");
  assert.equal(np.endpoints.ready.length, 3);
  assert.equal(np.slices.length, 1);
  assert.equal(np.slices[0].counts.total, 3);
  assert.equal(np.selectedPods.length, 3);
  assert.equal(np.externalTrafficPolicy, "Cluster");
  const lb = v.serviceByKey.get("default/kubia-loadbalancer");
  assert.deepEqual(lb.lbIPs, ["130.211.53.173"]);
  assert.equal(lb.lbPending, false);
  assert.equal(lb.dns, "kubia-loadbalancer.default.svc.cluster.local");
  assert.deepEqual(v.nodePorts.map((p) => p.nodePort), [30123, 32143]);
  assert.equal(v.serviceByKey.get("default/kubia").portsText, "80/TCP");
});

test("pod states: ready, not ready, pending, terminating", () => {
  const m = applySnapshot(emptyModel(), {
    seq: 1,
    cluster: {},
    objects: {
      Node: [{ metadata: { name: "n" } }],
      Pod: [
        pod("a", "n", "10.0.0.1"),
        pod("b", "n", "10.0.0.2", false),
        { metadata: { name: "c", namespace: "default" }, spec: {}, status: { phase: "Pending" } },
        pod("d", "n", "10.0.0.4", true, { deletionTimestamp: "2026-01-01T00:00:00Z" }),
      ],
    },
  });
  const v = deriveView(m);
  const st = Object.fromEntries(v.pods.map((p) => [p.name, p.state]));
  assert.deepEqual(st, { a: "ready", b: "notready", c: "pending", d: "terminating" });
  assert.equal(v.unscheduled.length, 1);
  assert.deepEqual(v.nodes[0].counts, { total: 3, ready: 1, notready: 1, terminating: 1, pending: 0 });
});

test("slice endpoint conditions and LB pending", () => {
  const m = applySnapshot(emptyModel(), {
    seq: 1,
    cluster: {},
    objects: {
      Service: [{ metadata: { name: "web", namespace: "default" }, spec: { type: "LoadBalancer", clusterIP: "10.96.0.10", ports: [{ port: 80, targetPort: 8080, nodePort: 31000 }] } }],
      EndpointSlice: [
        {
          metadata: { name: "web-abcde", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
          endpoints: [
            { addresses: ["10.244.0.1"], conditions: { ready: true, serving: true, terminating: false } },
            { addresses: ["10.244.0.2"], conditions: { ready: false, serving: true, terminating: true } },
            { addresses: ["10.244.0.3"], conditions: { ready: false, serving: false, terminating: false } },
          ],
        },
      ],
    },
  });
  const svc = deriveView(m).services[0];
  assert.equal(svc.lbPending, true);
  assert.deepEqual(svc.slices[0].counts, { total: 3, ready: 1, serving: 2, terminating: 1, notready: 2 });
  assert.deepEqual(svc.slices[0].endpoints.map((e) => e.state), ["ready", "terminating", "notready"]);
});

test("requestTargets lists LB, every node IP x nodePort, clusterIP, DNS and pod IPs", () => {
  const { sources, destinations } = requestTargets(deriveView(base()));
  assert.deepEqual(sources.slice(0, 2).map((s) => s.value), ["external", "node/node-1"]);
  assert.ok(sources.some((s) => s.value === "pod/default/kubia-7d5b8f9c4-tq8wn"));
  const values = destinations.map((d) => d.value);
  assert.ok(values.includes("130.211.53.173:80"));
  for (const ip of ["10.0.0.11", "10.0.0.12", "10.0.0.13", "130.211.97.55", "130.211.99.206", "130.211.96.148"]) {
    assert.ok(values.includes(`${ip}:30123`), `${ip}:30123`);
    assert.ok(values.includes(`${ip}:32143`), `${ip}:32143`);
  }
  assert.ok(values.includes("10.111.254.223:80"));
  assert.ok(values.includes("kubia.default.svc.cluster.local:80"));
  assert.ok(values.includes("10.244.2.5:8080"));
  assert.equal(destinations.filter((d) => d.kind === "nodePort").length, 12);
});

test("actionUrl fills and encodes placeholders", () => {
  assert.equal(actionUrl("/c/1/pods/{namespace}/{name}/delete/", { namespace: "default", name: "a b" }), "/c/1/pods/default/a%20b/delete/");
  assert.equal(actionUrl("", {}), "");
});

test("tallyTraces counts pods and outcomes", () => {
  const tr = (pod, outcome = "delivered") => ({ outcome, endpoint: pod ? { pod, namespace: "default" } : null });
  const tally = tallyTraces([tr("a"), tr("b"), tr("a"), tr(null, "refused")]);
  assert.equal(tally.total, 4);
  assert.deepEqual(tally.pods.map((p) => [p.pod, p.count]), [["a", 2], ["b", 1]]);
  assert.deepEqual(tally.outcomes, { delivered: 3, refused: 1 });
});

test("portText is kubectl's PORT(S) entry", () => {
  assert.equal(portText({ port: 80, nodePort: 30123, protocol: "TCP" }), "80:30123/TCP");
  assert.equal(portText({ port: 53, protocol: "UDP" }), "53/UDP");
});

test("deriveView handles 1,000 pods on 20 nodes", () => {
  const snap = bigSnapshot({ nodes: 20, pods: 1000 });
  const v = deriveView(applySnapshot(emptyModel(), snap));
  assert.equal(v.pods.length, 1000);
  assert.equal(v.nodes.length, 20);
  assert.equal(v.serviceByKey.get("default/kubia").slices.length, 10);
});

test("names sort with their numbers as numbers: node-2 before node-10", () => {
  const nodes = ["node-10", "node-2", "node-1", "node-20"].map((name) => ({ metadata: { name } }));
  const view = deriveView(applySnapshot(emptyModel(), { seq: 1, cluster: {}, objects: { Node: nodes } }));
  assert.deepEqual(view.nodes.map((n) => n.name), ["node-1", "node-2", "node-10", "node-20"]);
});

test("a node's pods are grouped by the Services that select them, each run recorded", () => {
  const m = base();
  const s = m.seq;
  const other = (name, ip, ready = true) => {
    const p = pod(name, "node-1", ip, ready);
    p.metadata.labels = { app: "other" };
    return p;
  };
  const lone = pod("lone", "node-1", "10.244.0.40");
  lone.metadata.labels = { app: "nobody" };
  const m2 = applyEvents(m, [
    { seq: s + 1, type: "ADDED", kind: "Pod", object: other("other-b", "10.244.0.31", false) },
    { seq: s + 2, type: "ADDED", kind: "Pod", object: other("other-a", "10.244.0.30") },
    { seq: s + 3, type: "ADDED", kind: "Pod", object: lone },
    { seq: s + 4, type: "ADDED", kind: "Service", object: { metadata: { name: "other", namespace: "default" }, spec: { selector: { app: "other" }, ports: [{ port: 80 }] } } },
  ]);
  const node = deriveView(m2).nodeByName.get("node-1");
  const kubia = node.pods.filter((p) => p.labels.app === "kubia").map((p) => p.name);
  assert.deepEqual(node.pods.map((p) => p.name), [...kubia, "other-a", "other-b", "lone"]); // ready before not ready
  assert.deepEqual(node.podGroups.map((g) => [g.services, g.start, g.count]), [
    [["default/kubia", "default/kubia-loadbalancer", "default/kubia-nodeport"], 0, kubia.length],
    [["default/other"], kubia.length, 2],
    [[], kubia.length + 2, 1],
  ]);
});

test("a cordoned node is shown with kubectl's STATUS, Ready,SchedulingDisabled", () => {
  const m = base();
  const node = structuredClone(fx.snapshot.objects.Node[0]);
  node.spec = { ...(node.spec || {}), unschedulable: true };
  const v = deriveView(applyEvents(m, [{ seq: m.seq + 1, type: "MODIFIED", kind: "Node", object: node }]));
  const cordoned = v.nodes.find((n) => n.name === node.metadata.name);
  assert.equal(cordoned.schedulable, false);
  assert.equal(nodeStatus(cordoned), "Ready,SchedulingDisabled");
  const others = v.nodes.filter((n) => n !== cordoned);
  assert.ok(others.length > 0 && others.every((n) => n.schedulable && nodeStatus(n) === "Ready"));
  assert.equal(nodeStatus({ ready: false, schedulable: false }), "NotReady,SchedulingDisabled");
});
