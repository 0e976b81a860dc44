import { test } from "node:test";
import assert from "node:assert/strict";
import { applyEvents, applySnapshot, deriveView, emptyModel } from "../../static/js/state.js";
import { layoutScene } from "../../static/js/layout.js";
import { MARK_MS, addOverflow, changeMarks, markStyle, mergeMarks, overflowCount, overflowText } from "../../static/js/marks.js";
import { kubiaFixture } from "./helpers.mjs";

const SMALL = { width: 890, height: 472 };

function sceneOf(ids) {
  return { refRects: new Map(ids.map((id, i) => [id, { x: i * 10, y: 5, w: 8, h: 8 }])) };
}
const pod = (name, ns = "default") => ({ kind: "Pod", object: { metadata: { name, namespace: ns } } });
const ev = (seq, type, o) => ({ seq, type, ...o });
const kinds = (r) => r.marks.map((m) => `${m.kind} ${m.ref}`).sort();

test("added, deleted and modified: which refs get which mark", () => {
  const prev = sceneOf(["Pod:default/a", "Pod:default/gone", "EndpointSlice:default/kubia-x", "Service:default/old", "Node:node-9"]);
  const next = sceneOf(["Pod:default/a", "Pod:default/b", "EndpointSlice:default/kubia-x", "EndpointSlice:default/kubia-y", "Service:default/new", "Node:node-1"]);
  const events = [
    ev(1, "ADDED", pod("b")),
    ev(2, "DELETED", pod("gone")),
    ev(3, "MODIFIED", { kind: "EndpointSlice", object: { metadata: { name: "kubia-x", namespace: "default" } } }),
    ev(4, "ADDED", { kind: "EndpointSlice", object: { metadata: { name: "kubia-y", namespace: "default" } } }),
    ev(5, "MODIFIED", pod("a")), // pods: MODIFIED is noise
    ev(6, "ADDED", { kind: "Service", object: { metadata: { name: "new", namespace: "default" } } }),
    ev(7, "DELETED", { kind: "Service", object: { metadata: { name: "old", namespace: "default" } } }),
    ev(8, "ADDED", { kind: "Node", object: { metadata: { name: "node-1" } } }),
    ev(9, "DELETED", { kind: "Node", object: { metadata: { name: "node-9" } } }),
    ev(10, "ADDED", { kind: "Deployment", object: { metadata: { name: "kubia", namespace: "default" } } }), // not drawn
  ];
  const r = changeMarks(events, prev, next);
  assert.deepEqual(kinds(r), [
    "added EndpointSlice:default/kubia-y",
    "added Node:node-1",
    "added Pod:default/b",
    "added Service:default/new",
    "deleted Node:node-9",
    "deleted Pod:default/gone",
    "deleted Service:default/old",
    "modified EndpointSlice:default/kubia-x",
  ]);
  // A deleted object is marked where it was (previous scene); an added one where it is now.
  const gone = r.marks.find((m) => m.ref === "Pod:default/gone");
  assert.deepEqual(gone.rect, prev.refRects.get("Pod:default/gone"));
  const b = r.marks.find((m) => m.ref === "Pod:default/b");
  assert.deepEqual(b.rect, next.refRects.get("Pod:default/b"));
  assert.equal(overflowCount(r.overflow), 0);
});

test("net change within a batch: added then deleted is nothing; out of order by seq", () => {
  const prev = sceneOf(["Pod:default/old"]);
  const next = sceneOf(["Pod:default/old", "Pod:default/re"]);
  const r = changeMarks(
    [ev(3, "DELETED", pod("flash")), ev(1, "ADDED", pod("flash")), ev(2, "MODIFIED", pod("flash")), ev(4, "ADDED", pod("re")), ev(5, "MODIFIED", pod("re"))],
    prev,
    next,
  );
  assert.deepEqual(kinds(r), ["added Pod:default/re"]);
  assert.deepEqual(changeMarks([], prev, next).marks, []);
  assert.deepEqual(changeMarks(null, null, null).marks, []);
});

test("objects without a rect (pods drawn as glyphs) are counted, not marked", () => {
  const r = changeMarks([ev(1, "ADDED", pod("x")), ev(2, "DELETED", pod("y")), ev(3, "MODIFIED", { kind: "EndpointSlice", object: { metadata: { name: "s" } } })], sceneOf([]), sceneOf([]));
  assert.deepEqual(r.marks, []);
  assert.deepEqual(r.overflow, { added: { Pod: 1 }, deleted: { Pod: 1 } });
});

test("the cap: at most `max` marks, Services / slices before pods, the rest in one summary", () => {
  const names = Array.from({ length: 100 }, (_, i) => `p${i}`);
  const next = sceneOf([...names.map((n) => `Pod:default/${n}`), "EndpointSlice:default/kubia-2"]);
  const events = [...names.map((n, i) => ev(i + 1, "ADDED", pod(n))), ev(200, "ADDED", { kind: "EndpointSlice", object: { metadata: { name: "kubia-2", namespace: "default" } } })];
  const r = changeMarks(events, sceneOf([]), next, { max: 60 });
  assert.equal(r.marks.length, 60);
  assert.equal(r.marks[0].ref, "EndpointSlice:default/kubia-2");
  assert.equal(r.marks[1].ref, "Pod:default/p0");
  assert.deepEqual(r.overflow, { added: { Pod: 41 }, deleted: {} });
  assert.equal(overflowText(r.overflow), "+41 pods");
  assert.equal(overflowText(addOverflow(r.overflow, { deleted: { Pod: 1 } })), "+41 pods · −1 pod");
  assert.equal(changeMarks(events, sceneOf([]), next, { max: 0 }).marks.length, 0);
});

test("1,000 new pods: fast, capped", () => {
  const names = Array.from({ length: 1000 }, (_, i) => `p${i}`);
  const next = sceneOf(names.map((n) => `Pod:default/${n}`));
  const r = changeMarks(names.map((n, i) => ev(i + 1, "ADDED", pod(n))), sceneOf([]), next);
  assert.equal(r.marks.length, 60);
  assert.equal(overflowCount(r.overflow), 940);
});

test("with the real layout: a scale-down marks the deleted kubia pod at its old place", () => {
  const snap = kubiaFixture().snapshot;
  let model = applySnapshot(emptyModel(), snap);
  const before = layoutScene(deriveView(model), SMALL);
  const victim = snap.objects.Pod[0];
  const events = [ev(snap.seq + 1, "DELETED", { kind: "Pod", object: victim })];
  model = applyEvents(model, events);
  const after = layoutScene(deriveView(model), SMALL);
  const r = changeMarks(events, before, after);
  const id = `Pod:default/${victim.metadata.name}`;
  assert.ok(before.refRects.has(id) && !after.refRects.has(id));
  assert.deepEqual(kinds(r), [`deleted ${id}`]);
});

test("merging batches and the mark style", () => {
  const a = [{ ref: "Pod:default/a", kind: "added", t0: 100 }];
  const merged = mergeMarks(a, [{ ref: "Pod:default/a", kind: "modified" }, { ref: "Pod:default/b", kind: "added" }]);
  assert.deepEqual(merged.map((m) => [m.ref, m.kind, m.t0]), [["Pod:default/a", "added", 100], ["Pod:default/b", "added", null]]);
  const gone = mergeMarks(merged, [{ ref: "Pod:default/a", kind: "deleted" }]);
  assert.equal(gone.find((m) => m.ref === "Pod:default/a").kind, "deleted");
  // Reduced motion: fixed ring, no fade; with motion: fades out by MARK_MS.
  assert.deepEqual(markStyle(0, true), markStyle(MARK_MS * 0.7, true));
  assert.ok(markStyle(MARK_MS * 0.9, false).alpha < 0.3);
  assert.equal(markStyle(MARK_MS, false).alpha, 0);
});
