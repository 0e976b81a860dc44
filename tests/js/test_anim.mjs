import { test } from "node:test";
import assert from "node:assert/strict";
import { applySnapshot, deriveView, emptyModel } from "../../static/js/state.js";
import { layoutScene } from "../../static/js/layout.js";
import { TIMING, buildAnimation, remapLocalTime, sampleAnimation, serviceKeyOf } from "../../static/js/anim.js";
import { Player } from "../../static/js/player.js";
import { hopLine } from "../../static/js/tracefmt.js";
import { kubiaFixture } from "./helpers.mjs";

const fx = kubiaFixture();
const view = deriveView(applySnapshot(emptyModel(), fx.snapshot));
const scene = layoutScene(view, { width: 860, height: 440 });
const trace = fx.traces[0];

test("keyframes: client -> LB -> node (nodePort badge) -> service -> node -> node-3 -> pod", () => {
  const a = buildAnimation(trace, scene.anchors);
  const A = scene.anchors;
  const at = (p) => a.stops.findIndex((s) => Math.abs(s.x - p.x) < 0.01 && Math.abs(s.y - p.y) < 0.01);
  assert.equal(at(A.client), 0);
  assert.equal(at(A.byIP.get("130.211.53.173")), 1);
  assert.equal(at(A.nodePorts.get("node-1:32143")), 2, "lands on node-1's nodePort badge");
  const svc = a.stops[3];
  assert.equal(svc.via, "service");
  assert.deepEqual({ x: svc.x, y: svc.y }, { x: A.services.get("default/kubia-loadbalancer").x, y: A.services.get("default/kubia-loadbalancer").y });
  assert.deepEqual(svc.changed, ["dst"]);
  const last = a.stops.at(-1);
  assert.deepEqual({ x: last.x, y: last.y }, { x: A.pods.get("default/kubia-7d5b8f9c4-tq8wn").x, y: A.pods.get("default/kubia-7d5b8f9c4-tq8wn").y });
  assert.deepEqual(last.dstChain, ["130.211.53.173:80", "10.0.0.11:32143", "10.244.2.5:8080"]);
  assert.deepEqual(last.srcChain, ["203.0.113.7:51234", "10.0.0.11:40312"], "SNAT shown");
  for (let i = 1; i < a.stops.length; i++) assert.ok(a.stops[i].arrive >= a.stops[i - 1].depart);
});

test("sampling: tween between stops, highlight while dwelling on a rewrite", () => {
  const a = buildAnimation(trace, scene.anchors);
  const s1 = a.stops[1];
  const mid = sampleAnimation(a, (a.stops[0].depart + s1.arrive) / 2);
  assert.equal(mid.phase, "travel");
  assert.ok(mid.x > a.stops[0].x - 1 && mid.y !== a.stops[0].y);
  const dwell = sampleAnimation(a, s1.arrive + 300);
  assert.equal(dwell.phase, "dwell");
  assert.deepEqual(dwell.changed, ["dst"]);
  assert.equal(dwell.highlight, 1);
  assert.equal(sampleAnimation(a, -1), null);
  assert.equal(sampleAnimation(a, a.duration + 1), null);
});

test("reduced motion: no tweening, the packet jumps stop to stop", () => {
  const a = buildAnimation(trace, scene.anchors);
  const mid = sampleAnimation(a, (a.stops[0].depart + a.stops[1].arrive) / 2, true);
  assert.equal(mid.x, a.stops[0].x);
  assert.equal(mid.y, a.stops[0].y);
  assert.equal(sampleAnimation(a, a.stops[1].arrive + 1, true).x, a.stops[1].x);
});

test("refused bounces back, dropped fades", () => {
  const refused = { ...trace, id: "r", outcome: "refused", hops: trace.hops.slice(0, 3).map((h, i) => (i === 2 ? { ...h, action: "reject", changed: [], candidates: [] } : h)) };
  const a = buildAnimation(refused, scene.anchors);
  const last = a.stops.at(-1);
  const prev = a.stops.at(-2);
  const end = sampleAnimation(a, a.endStart + TIMING.end * 0.5);
  assert.equal(end.badge, "refused");
  assert.ok(Math.hypot(end.x - last.x, end.y - last.y) > 1, "moved back");
  assert.ok(Math.hypot(end.x - prev.x, end.y - prev.y) < Math.hypot(last.x - prev.x, last.y - prev.y));
  const dropped = buildAnimation({ ...refused, id: "d", outcome: "dropped" }, scene.anchors);
  const s = sampleAnimation(dropped, dropped.endStart + TIMING.end * 0.6);
  assert.equal(s.badge, "dropped");
  assert.ok(s.alpha < 1);
});

test("player: batches staggered, step forward/back between stops, bounded", () => {
  const p = new Player({ maxAnims: 5, stagger: 100 });
  const anims = Array.from({ length: 20 }, (_, i) => buildAnimation({ ...trace, id: `t${i}` }, scene.anchors));
  p.addBatch(anims);
  assert.equal(p.anims.length, 5);
  assert.equal(p.focusId, "t0");
  assert.ok(p.anims.some((a) => a.id === "t0"), "focused kept");
  p.step(1);
  assert.equal(p.paused, true);
  const c1 = p.cursor();
  p.step(1);
  const c2 = p.cursor();
  assert.equal(c2.stop, c1.stop + 1);
  p.step(-1);
  assert.equal(p.cursor().stop, c1.stop);
  p.seekHop(p.focused(), 2);
  assert.equal(p.cursor().hop, 2);
  assert.equal(p.busy(), false, "paused: the loop may sleep");
  p.togglePause();
  assert.equal(p.busy(), true);
});

test("serviceKeyOf and hop lines", () => {
  assert.equal(serviceKeyOf({ service: "default/kubia" }), "default/kubia");
  assert.equal(serviceKeyOf({ service: { namespace: "x", name: "y" } }), "x/y");
  assert.equal(serviceKeyOf({ service: "kubia", endpoint: { namespace: "ns" } }), "ns/kubia");
  assert.equal(hopLine(trace.hops[2], 2), "3 · node node-1 (10.0.0.11) · DNAT · dst 10.0.0.11:32143 → 10.244.2.5:8080 · KUBE-SEP-ZX7GRIZKSNUQ3LAJ · p 0.3333");
});

test("a new layout keeps each packet at the same stop, or the same fraction of its way", () => {
  const before = buildAnimation(trace, scene.anchors);
  const wide = layoutScene(view, { width: 1400, height: 800 });
  const after = buildAnimation(trace, wide.anchors);
  for (let k = 0; k < before.stops.length; k++) {
    const s = before.stops[k];
    const atStop = remapLocalTime(before, after, s.arrive + 50);
    assert.equal(sampleAnimation(after, atStop).stopIndex, k);
    assert.equal(sampleAnimation(after, atStop).phase, "dwell");
    if (k < before.stops.length - 1) {
      const halfway = remapLocalTime(before, after, (s.depart + before.stops[k + 1].arrive) / 2);
      const n = after.stops[k + 1];
      assert.ok(Math.abs(halfway - (after.stops[k].depart + n.arrive) / 2) < 1e-6);
    }
  }
  assert.equal(remapLocalTime(before, after, before.endStart + 100), after.endStart + 100);
  assert.equal(remapLocalTime(before, after, -30), -30, "not started yet: unchanged");
});

test("hop lines: a load balancer is named once, as the trace walk names it", () => {
  const hop = { at: { kind: "loadbalancer", name: "default/kubia-lb load balancer", ip: "130.211.53.173" }, action: "forward", before: { src: "203.0.113.10:4000", dst: "130.211.53.173:80" }, after: { src: "203.0.113.10:4000", dst: "10.0.0.12:30430" }, changed: ["dst"] };
  assert.equal(hopLine(hop, 1), "2 · load balancer default/kubia-lb (130.211.53.173) · forward · dst 130.211.53.173:80 → 10.0.0.12:30430");
});
