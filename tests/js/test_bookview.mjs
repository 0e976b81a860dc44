// The book's hops beside the real trace (static/js/bookview.js), on real traces of the pure core
// (fixture_traces.json, written by make_fixture_traces.py) and the kubia fixture's own trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { applyEvents, applySnapshot, emptyModel } from "../../static/js/state.js";
import { bookPath, findService, serviceEndpoints, splitAddr, traceFacts } from "../../static/js/bookview.js";
import { CATALOGUE, setLanguage, t } from "../../static/js/i18n.js";
import { kubiaFixture } from "./helpers.mjs";

const fx = JSON.parse(readFileSync(new URL("./fixture_traces.json", import.meta.url), "utf8"));
const model = applySnapshot(emptyModel(), fx.snapshot);
const trace = (id) => fx.traces.find((tr) => tr.id === id);
const svcSpec = (name) => fx.snapshot.objects.Service.find((s) => s.metadata.name === name).spec;
const roles = (data) => data.columns.map((c) => c.role);

test("addresses split at the last colon", () => {
  assert.deepEqual(splitAddr("10.0.0.12:30123"), { ip: "10.0.0.12", port: 30123 });
  assert.deepEqual(splitAddr("10.0.0.12"), { ip: "10.0.0.12", port: null });
  assert.deepEqual(splitAddr(""), { ip: "", port: null });
});

test("NodePort from outside: the book's four hops; the real packet skips the clusterIP in one DNAT", () => {
  const tr = trace("np-iptables");
  const data = bookPath(tr, model);
  assert.equal(data.ok, true);
  assert.deepEqual(roles(data), ["client", "nodePort", "clusterIP", "pod"]);
  const [client, nodePort, clusterIP, pod] = data.columns;
  assert.equal(client.book.addr, tr.client.ip);
  assert.equal(nodePort.book.addr, tr.destination, "the nodeIP:nodePort the packet arrived at");
  assert.equal(nodePort.book.name, "node-2");
  assert.equal(nodePort.real.hop, 1);
  assert.equal(clusterIP.book.addr, `${svcSpec("kubia-nodeport").clusterIP}:80`, "the Service's clusterIP:port");
  assert.equal(clusterIP.real, null);
  assert.equal(clusterIP.note, "skipped");
  assert.equal(pod.book.addr, `${tr.endpoint.ip}:8080`, "the chosen podIP:targetPort");
  assert.equal(pod.real.addr, pod.book.addr);
  const dnatHop = tr.hops.findIndex((h) => h.action === "DNAT");
  assert.equal(pod.via.hop, dnatHop);
  assert.match(pod.via.rule, /^KUBE-SEP-/);
  assert.equal(pod.real.hop, tr.hops.length - 1, "delivered at the last hop");
  assert.deepEqual(data.dnat, { rule: pod.via.rule, action: "DNAT", hop: dnatHop, from: tr.destination, to: pod.book.addr });
  assert.equal(data.addressedToClusterIP, false);
  // No hop of the real trace is at, or addressed to, the clusterIP.
  assert.ok(tr.hops.every((h) => h.after.dst !== clusterIP.book.addr && h.at.ip !== svcSpec("kubia-nodeport").clusterIP));
});

test("LoadBalancer: client -> LB -> nodeIP:nodePort -> clusterIP:port -> podIP:targetPort", () => {
  const tr = trace("lb-iptables");
  const data = bookPath(tr, model);
  assert.deepEqual(roles(data), ["client", "lb", "nodePort", "clusterIP", "pod"]);
  const [, lb, nodePort, clusterIP, pod] = data.columns;
  assert.equal(lb.book.addr, tr.destination);
  assert.equal(nodePort.book.addr, tr.hops[1].after.dst, "where the load balancer sent it");
  assert.equal(splitAddr(nodePort.book.addr).port, svcSpec("kubia-loadbalancer").ports[0].nodePort);
  assert.deepEqual({ action: nodePort.via.action, hop: nodePort.via.hop }, { action: "forward", hop: 1 });
  assert.equal(clusterIP.book.addr, `${svcSpec("kubia-loadbalancer").clusterIP}:80`);
  assert.equal(clusterIP.note, "skipped");
  assert.equal(pod.book.addr, `${tr.endpoint.ip}:${tr.endpoint.port}`);
});

test("from a pod to the clusterIP: addressed to it from the start, still never a hop", () => {
  for (const id of ["cip-iptables", "dns-iptables"]) {
    const tr = trace(id);
    const data = bookPath(tr, model);
    assert.deepEqual(roles(data), ["client", "clusterIP", "pod"], id);
    assert.equal(data.addressedToClusterIP, true);
    const [client, clusterIP, pod] = data.columns;
    assert.equal(client.book.name, "default/kubia-7d5b8f9c4-x2k9p", "the client pod");
    assert.equal(clusterIP.note, "addressed");
    assert.equal(clusterIP.real.addr, `${svcSpec("kubia").clusterIP}:80`);
    assert.equal(pod.via.action, "DNAT");
    assert.ok(pod.real.hop > 0, "delivered at the pod, not the client pod's own hop");
    assert.equal(pod.real.hop, tr.hops.length - 1);
  }
});

test("every proxy mode names the rule that did the one rewrite", () => {
  const rules = Object.fromEntries(["np-iptables", "np-ipvs", "np-nftables"].map((id) => [id, bookPath(trace(id), model).dnat.rule]));
  assert.match(rules["np-iptables"], /^KUBE-SEP-/);
  assert.match(rules["np-ipvs"], /^IPVS /);
  assert.match(rules["np-nftables"], /^endpoint-/);
  assert.equal(bookPath(trace("np-ipvs"), model).mode, "ipvs");
});

test("requests that end early: the book's pod column says there was none", () => {
  const drop = bookPath(trace("local-drop"), model);
  assert.deepEqual(roles(drop), ["client", "nodePort", "clusterIP", "end"]);
  assert.equal(drop.outcome, "dropped");
  assert.equal(drop.columns.at(-1).note, "ending");
  assert.equal(drop.columns.at(-1).real.hop, trace("local-drop").hops.length - 1);
  const refused = bookPath(trace("empty-refused"), model);
  assert.deepEqual(roles(refused), ["client", "clusterIP", "end"]);
  assert.equal(refused.outcome, "refused");
  // From outside to a clusterIP: the Service is found by its address though the trace names none.
  const outside = bookPath(trace("cip-outside"), model);
  assert.equal(trace("cip-outside").service, null);
  assert.equal(outside.ok, true);
  assert.equal(outside.service.name, "kubia");
  assert.equal(outside.outcome, "unroutable");
});

test("no Service, no book picture", () => {
  assert.deepEqual(bookPath(trace("pod-direct"), model), { ok: false, reason: "noService", mode: "iptables", outcome: "delivered", columns: [] });
  assert.equal(bookPath(trace("nodeport-refused"), model).reason, "noService");
  assert.equal(bookPath({ id: "x", hops: [] }, emptyModel()).ok, false);
  // A headless Service has no clusterIP to draw.
  const headless = structuredClone(fx.snapshot.objects.Service.find((s) => s.metadata.name === "kubia"));
  headless.spec.clusterIP = "None";
  const m = applyEvents(model, [{ seq: model.seq + 1, type: "MODIFIED", kind: "Service", object: headless }]);
  assert.equal(bookPath(trace("cip-iptables"), m).reason, "noClusterIP");
});

test("the book's picture follows the sandbox: a deleted Service leaves no picture", () => {
  const svc = fx.snapshot.objects.Service.find((s) => s.metadata.name === "kubia-nodeport");
  const m = applyEvents(model, [{ seq: model.seq + 1, type: "DELETED", kind: "Service", object: svc }]);
  assert.equal(bookPath(trace("np-iptables"), m).ok, false);
});

test("facts: the Service port used, ready endpoints, and the service found by name or address", () => {
  const facts = traceFacts(trace("local-kept"), model);
  assert.equal(facts.service.name, "kubia-local");
  assert.equal(facts.port.nodePort, 30124);
  assert.equal(facts.nodePort.node, "node-2");
  assert.equal(facts.rewrites.length, 1);
  assert.deepEqual(serviceEndpoints(model, facts.service).map((e) => e.ip), ["10.244.0.5", "10.244.1.6", "10.244.2.5"]);
  assert.deepEqual(serviceEndpoints(model, findService(model, trace("empty-refused"))), []);
  assert.equal(findService(model, { hops: [] }, "10.96.121.117:80").name, "kubia-nodeport");
  assert.equal(findService(model, { hops: [] }, "10.96.121.117:81"), null, "the port must be the Service's");
});

test("the kubia fixture's own trace (load balancer, one DNAT hop that also picks the pod)", () => {
  const kubia = kubiaFixture();
  const m = applySnapshot(emptyModel(), kubia.snapshot);
  const [tr] = kubia.traces;
  const data = bookPath(tr, m);
  assert.deepEqual(roles(data), ["client", "lb", "nodePort", "clusterIP", "pod"]);
  assert.equal(data.columns[2].book.addr, tr.hops[1].after.dst);
  assert.equal(data.columns[4].book.addr, `${tr.endpoint.ip}:${tr.endpoint.port}`);
  assert.equal(data.dnat.hop, 2);
});

test("every book text exists in English and Korean", () => {
  const used = ["empty", "locked", "noService", "noClusterIP", "tableLabel", "from", "laneBook", "laneReal", "noPod", "skipped", "addressed", "viaDnat", "fromLb", "hop", "whyTitle", "why"];
  const roleKeys = ["client", "lb", "nodePort", "clusterIP", "pod", "end"].map((r) => `role.${r}`);
  for (const k of [...used, ...roleKeys]) {
    assert.ok(`book.${k}` in CATALOGUE.en, k);
    assert.ok(`book.${k}` in CATALOGUE.ko, k);
  }
  setLanguage("en");
  assert.match(t("book.why"), /clusterIP is a name for the rule set rather than a box the packet visits/);
  setLanguage("ko");
  assert.equal(t("book.laneBook"), "책에서는");
  setLanguage("en");
});
