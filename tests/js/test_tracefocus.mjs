// Which objects a trace passes (they stay drawn), and which traces belong to one request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { missingFromScene, requestKey, traceFocus, tracePasses } from "../../static/js/tracefocus.js";
import { layoutScene } from "../../static/js/layout.js";
import { readFileSync } from "node:fs";
import { manyServicesView } from "./projector_fixture.mjs";

// Real traces of the pure core (make_fixture_traces.py).
const traces = JSON.parse(readFileSync(new URL("./fixture_traces.json", import.meta.url), "utf8")).traces;
const fromPod = traces.find((tr) => tr.source.startsWith("pod/") && tr.service === "default/kubia" && tr.endpoint.node === "node-3");

test("a trace passes its Service, its source pod, the nodes of its hops and the chosen endpoint", () => {
  const p = tracePasses(fromPod);
  assert.deepEqual([...p.services], ["default/kubia"]);
  assert.ok(p.pods.has("default/kubia-7d5b8f9c4-x2k9p"), "the source pod");
  assert.ok(p.pods.has("default/kubia-7d5b8f9c4-tq8wn"), "the endpoint pod");
  assert.ok(p.nodes.has("node-3"), "the endpoint's node");
});

test("the focus of several traces is their union, with a key that changes only with it", () => {
  const a = traceFocus([fromPod]);
  const lb = traces.find((tr) => tr.service === "default/kubia-loadbalancer");
  const both = traceFocus([fromPod, lb]);
  assert.deepEqual(both.services, ["default/kubia", "default/kubia-loadbalancer"]);
  assert.notEqual(a.key, both.key);
  assert.equal(traceFocus([lb, fromPod]).key, both.key, "order does not matter");
  assert.equal(traceFocus([]).key, traceFocus([null]).key);
});

test("two requests to different destinations are two batches; one request's traces are one", () => {
  const [a, b] = traces;
  assert.notEqual(requestKey(a), requestKey(b));
  assert.equal(requestKey(a), requestKey({ ...a, id: "other" }));
});

test("a Service folded into +N more is missing from the scene until the focus brings it in", () => {
  const view = manyServicesView({ extra: 12 });
  const size = { width: 760, height: 600 };
  const plain = layoutScene(view, size);
  const hidden = view.services.map((s) => s.key).find((k) => !plain.anchors.services.has(k));
  assert.ok(hidden, "some Service is folded at this size");
  const focus = traceFocus([{ ...fromPod, service: hidden }]);
  assert.deepEqual(missingFromScene(focus, plain.anchors), [`Service:${hidden}`]);
  const focused = layoutScene(view, { ...size, focus });
  assert.deepEqual(missingFromScene(focus, focused.anchors), []);
});
