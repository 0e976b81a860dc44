import { test } from "node:test";
import assert from "node:assert/strict";
import { applySnapshot, deriveView, emptyModel } from "../../static/js/state.js";
import { estimateTextWidth, fitText, hitTest, layoutScene, refId } from "../../static/js/layout.js";
import { bigSnapshot, emptySnapshot } from "./fixtures.js";
import { kubiaFixture } from "./helpers.mjs";

const viewOf = (snap) => deriveView(applySnapshot(emptyModel(), snap));
const kubia = viewOf(kubiaFixture().snapshot);
// Canvas area of the sandbox page at a 1280x720 and a 1920x1080 window (measured in Chromium).
const SMALL = { width: 890, height: 472 };
const LARGE = { width: 1380, height: 735 };

function inside(scene, it, slack = 0.5) {
  return it.x >= -slack && it.y >= -slack && it.x + it.w <= scene.width + slack && it.y + it.h <= scene.height + slack;
}

function boxes(scene) {
  return scene.items.filter((i) => i.type === "box" || i.type === "badge");
}

function texts(scene) {
  const out = [];
  for (const it of scene.items) {
    if (it.type === "box") for (const l of it.lines) out.push(l.right ? `${l.text} ${l.right.text}` : l.text);
    if (it.type === "text" || it.type === "badge") out.push(it.text);
    if (it.type === "frame") out.push(it.title.text, it.sub.text);
  }
  return out;
}

function overlaps(a, b) {
  return a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;
}

test("kubia at 1280x720: everything inside the canvas, full detail, labels >= 13px", () => {
  const scene = layoutScene(kubia, SMALL);
  assert.ok(scene.F >= 13);
  for (const b of boxes(scene)) assert.ok(inside(scene, b), `${b.role} ${JSON.stringify(b.lines && b.lines[0])} outside`);
  assert.equal(scene.lod.nodes, "full");
  assert.equal(scene.lod.services, "full");
  const all = texts(scene).join("\n");
  for (const s of ["kubia", "kubia-nodeport", "kubia-loadbalancer", "10.111.254.223", "80:30123/TCP → 8080", "130.211.53.173:80", "10.0.0.11", "130.211.97.55"]) {
    assert.ok(all.includes(s), `missing ${s}`);
  }
  assert.ok(all.includes("kubia-7vzhx 3/100"), "slice box with its count against maxEndpointsPerSlice");
});

test("every NodePort/LB nodePort is drawn on every node", () => {
  const scene = layoutScene(kubia, SMALL);
  const badges = scene.items.filter((i) => i.type === "badge");
  assert.equal(badges.length, 3 * 2);
  for (const node of ["node-1", "node-2", "node-3"]) {
    assert.ok(scene.anchors.nodePorts.has(`${node}:30123`));
    assert.ok(scene.anchors.nodePorts.has(`${node}:32143`));
  }
});

test("pods sit inside their node; boxes of one band do not overlap", () => {
  const scene = layoutScene(kubia, LARGE);
  const nodes = scene.items.filter((i) => i.role === "node");
  const pods = scene.items.filter((i) => i.role === "pod");
  assert.equal(pods.length, 3);
  for (const p of pods) assert.ok(nodes.some((n) => p.x >= n.x && p.y >= n.y && p.x + p.w <= n.x + n.w && p.y + p.h <= n.y + n.h), "pod within a node");
  const top = scene.items.filter((i) => ["service", "endpoints", "slice", "node", "lb", "client"].includes(i.role));
  for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) assert.ok(!overlaps(top[i], top[j]), `${top[i].role} overlaps ${top[j].role}`);
});

test("anchors exist for the path client -> LB -> node -> service -> pod", () => {
  const scene = layoutScene(kubia, SMALL);
  assert.ok(scene.anchors.client);
  assert.ok(scene.anchors.byIP.get("130.211.53.173"));
  assert.ok(scene.anchors.byIP.get("10.0.0.11"));
  assert.ok(scene.anchors.byIP.get("10.111.254.223"));
  assert.ok(scene.anchors.services.get("default/kubia-loadbalancer"));
  assert.ok(scene.anchors.pods.get("default/kubia-7d5b8f9c4-tq8wn"));
  assert.ok(scene.anchors.byIP.get("10.244.2.5"));
});

test("hit test finds pods, slices and services; misses empty space", () => {
  const scene = layoutScene(kubia, SMALL);
  for (const kind of ["Pod", "EndpointSlice", "Service", "Node", "Endpoints"]) {
    const it = scene.items.find((i) => i.ref && i.ref.kind === kind && i.selectable);
    assert.ok(it, kind);
    const hit = hitTest(scene, it.x + it.w / 2, it.y + it.h / 2);
    assert.equal(refId(hit.ref), refId(it.ref));
  }
  assert.equal(hitTest(scene, 2, scene.height - 2), null);
  assert.ok(scene.focusOrder.length >= 3 + 3 + 3 + 3 + 3 + 1, "keyboard order covers the objects");
});

test("1,000 pods on 20 nodes at 1920x1080: counted groups and slice tiles, all inside", () => {
  const view = viewOf(bigSnapshot({ nodes: 20, pods: 1000 }));
  const scene = layoutScene(view, LARGE);
  assert.notEqual(scene.lod.nodes, "full");
  assert.equal(scene.lod.services, "tiles");
  for (const b of boxes(scene)) assert.ok(inside(scene, b), `${b.role} outside`);
  const nodes = scene.items.filter((i) => i.role === "node");
  assert.equal(nodes.length, 20, "all 20 nodes drawn");
  const all = texts(scene).join("\n");
  assert.match(all, /50 pods · \d+ ✓/);
  assert.match(all, /…-\w{5} · 100\/100\n/); // each slice tile shows its fill
  const tiles = scene.items.filter((i) => i.role === "slice");
  assert.ok(tiles.length >= 10, `slice tiles: ${tiles.length}`);
  assert.equal(scene.anchors.pods.size, 1000, "every pod has an anchor");
  assert.ok(scene.F >= 13);
});

test("1,000 pods still fit (less detail) at 1280x720", () => {
  const scene = layoutScene(viewOf(bigSnapshot({ nodes: 20, pods: 1000 })), SMALL);
  for (const b of boxes(scene)) assert.ok(inside(scene, b), `${b.role} outside`);
  for (const it of scene.items.filter((i) => i.type === "grid")) {
    const rows = Math.ceil(it.pods.length / it.cols);
    assert.ok(it.y + rows * (it.cell + it.gap) <= scene.height + 1, "grid inside");
  }
});

test("empty states: no services / no nodes / not loaded", () => {
  const empty = layoutScene(viewOf(emptySnapshot()), SMALL);
  assert.ok(empty.empty.services);
  const all = texts(empty).join("\n");
  assert.match(all, /No Services yet/);
  assert.match(all, /Create one with the form/);
  const viewer = texts(layoutScene(viewOf(emptySnapshot()), { ...SMALL, role: "viewer" })).join("\n");
  assert.doesNotMatch(viewer, /Create one with the form/);
  const none = layoutScene(viewOf({ seq: 1, cluster: { name: "x" }, objects: {} }), SMALL);
  assert.ok(none.empty.nodes && none.empty.services);
  const loading = layoutScene(null, SMALL);
  assert.ok(loading.empty.loading);
});

test("fitText truncates with an ellipsis and can keep a suffix", () => {
  const ctx = { fonts: { n: "13px sans" }, measure: estimateTextWidth };
  assert.equal(fitText(ctx, "short", "n", 200), "short");
  const cut = fitText(ctx, "kubia-loadbalancer-w6fkd · 100", "n", 120, 12);
  assert.ok(cut.includes("…") && cut.endsWith("w6fkd · 100"), cut);
  assert.ok(estimateTextWidth(cut, "13px sans") <= 120);
});

test("a cordoned node says so under its name, and its box's label gives kubectl's STATUS", () => {
  const snap = structuredClone(kubiaFixture().snapshot);
  const node = snap.objects.Node[1];
  node.spec = { ...(node.spec || {}), unschedulable: true };
  const scene = layoutScene(viewOf(snap), LARGE);
  const name = node.metadata.name;
  const lines = texts(scene);
  assert.equal(lines[lines.indexOf(`${name} · Ready`) + 1], "cordoned: no new pods");
  const box = scene.items.find((i) => i.type === "box" && i.ref && i.ref.kind === "Node" && i.ref.key === name);
  assert.match(box.label, /Ready,SchedulingDisabled/);
  assert.equal(lines.filter((s) => s.startsWith("cordoned")).length, 1);
});

test("in one-line node headers a state other than Ready takes the IP's place", () => {
  const snap = bigSnapshot({ nodes: 20, pods: 200 });
  const [cordoned, notReady] = [snap.objects.Node[1], snap.objects.Node[2]];
  cordoned.spec = { ...cordoned.spec, unschedulable: true };
  notReady.status.conditions = [{ type: "Ready", status: "False" }];
  for (const size of [SMALL, LARGE]) {
    const lines = texts(layoutScene(viewOf(snap), size));
    assert.ok(lines.includes("node-02 cordoned") && lines.includes("node-03 NotReady"), lines);
    assert.ok(lines.every((s) => !s.startsWith("node-") || !s.includes("…")), lines);
  }
  // A 1920x1080 window shows 20 nodes in one-line headers with their IPs.
  assert.ok(texts(layoutScene(viewOf(snap), LARGE)).includes("node-01 · 10.0.0.11"));
});

test("'+ N more nodes (see Tables)' is never cut: it takes two lines, and a shorter count, when needed", () => {
  for (const [nodes, size] of [[20, SMALL], [60, SMALL], [60, LARGE]]) {
    const lines = texts(layoutScene(viewOf(bigSnapshot({ nodes, pods: 200 })), size));
    const more = lines.findIndex((s) => /^\+ \d+ more/.test(s));
    if (more < 0) continue; // every node is drawn
    const shown = lines[more].endsWith("(see Tables)") ? lines[more] : `${lines[more]} ${lines[more + 1]}`;
    assert.match(shown, /^\+ \d+ more( nodes)? \(see Tables\)$/, `${nodes} nodes: ${shown}`);
  }
  assert.ok(texts(layoutScene(viewOf(bigSnapshot({ nodes: 60, pods: 200 })), SMALL)).some((s) => /^\+ \d+ more/.test(s)));
});
