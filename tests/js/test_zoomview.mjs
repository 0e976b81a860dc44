// The zoom controller: the object under the pointer stays there across the new layout, the window
// stays in the scene, and a zoomed picture follows the focused packet at each new stop.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ZoomView } from "../../static/js/zoomview.js";

function setup() {
  const renderer = { cssW: 800, cssH: 600, view: null, setView(v) { this.view = v; } };
  let scene = { width: 800, height: 600, refRects: new Map([["Node:n1", { x: 400, y: 300, w: 100, h: 50, ref: { kind: "Node", key: "n1" } }]]) };
  let layouts = 0;
  const zoom = new ZoomView({ renderer, getScene: () => scene, getPodCount: () => 10000, scheduleLayout: () => layouts++, relayout: () => layouts++, wake: () => {}, stats: {}, badge: null });
  return { zoom, renderer, setScene: (s) => (scene = s), layouts: () => layouts };
}

test("zooming keeps the object under the pointer under it in the new layout", () => {
  const { zoom, renderer, setScene, layouts } = setup();
  zoom.zoomBy(2, 450, 325); // the middle of node n1
  assert.equal(zoom.z, 2);
  assert.equal(layouts(), 1, "a new layout is asked for");
  assert.deepEqual(zoom.layoutSize(), { width: 1600, height: 1200, fontSize: 13 });
  const next = { width: 1600, height: 1200, refRects: new Map([["Node:n1", { x: 900, y: 700, w: 200, h: 60 }]]) };
  setScene(next);
  zoom.placed(next);
  const p = zoom.toScene(450, 325);
  assert.deepEqual([p.x, p.y], [1000, 730], "the middle of n1 again");
  assert.deepEqual(renderer.view, zoom.offset);
});

test("the window follows the focused packet at a new stop, not after a pan by hand at the same stop", () => {
  const { zoom, setScene } = setup();
  setScene({ width: 3200, height: 2400, refRects: new Map() });
  zoom.z = 4;
  const anim = { id: 7 };
  zoom.follow(anim, { x: 3000, y: 2000, stopIndex: 1 }, { paused: true, holding: false });
  assert.ok(zoom.inView({ x: 3000, y: 2000, w: 1, h: 1 }), "brought into view");
  zoom.panBy(-2000, -1500);
  zoom.follow(anim, { x: 3000, y: 2000, stopIndex: 1 }, { paused: true, holding: false });
  assert.ok(!zoom.inView({ x: 3000, y: 2000, w: 1, h: 1 }), "the hand's pan is kept while paused at the same stop");
  zoom.follow(anim, { x: 100, y: 2300, stopIndex: 2 }, { paused: true, holding: false });
  assert.ok(zoom.inView({ x: 100, y: 2300, w: 1, h: 1 }), "the next stop is shown");
});
