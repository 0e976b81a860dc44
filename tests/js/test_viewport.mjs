// Zoom and pan math (viewport.js) and the level of detail a zoom buys (layout.js at zoom × size).
import { test } from "node:test";
import assert from "node:assert/strict";
import { clampOffset, clampZoom, intersects, maxZoom, offsetForAnchor, offsetToShow, toScene, wheelFactor, zoomAnchor } from "../../static/js/viewport.js";
import { applySnapshot, deriveView, emptyModel } from "../../static/js/state.js";
import { layoutScene } from "../../static/js/layout.js";
import { bigSnapshot } from "./fixtures.js";

test("the zoom stays between 1 and the limit; the limit grows with the pods", () => {
  assert.equal(clampZoom(0.3, 8), 1);
  assert.equal(clampZoom(20, 8), 8);
  assert.equal(maxZoom(3, 1280, 720), 2, "a small sandbox still zooms a little");
  const big = maxZoom(10000, 1380, 680, 16);
  assert.ok(big > maxZoom(1000, 1380, 680, 16) && big <= 16, String(big));
});

test("the offset never shows an empty band beyond the scene", () => {
  assert.deepEqual(clampOffset({ x: -50, y: 9999 }, 2000, 1000, 800, 600), { x: 0, y: 400 });
  assert.deepEqual(clampOffset({ x: 30, y: 30 }, 800, 600, 800, 600), { x: 0, y: 0 }, "an unzoomed scene does not pan");
});

test("the object under the pointer stays under it after a zoom", () => {
  const before = { x: 100, y: 50 };
  const rect = { x: 400, y: 300, w: 100, h: 40, ref: { kind: "Node", key: "node-7" } };
  const a = zoomAnchor(before, 420, 270, rect, 1600, 1200); // scene point (520, 320): 1.2 × w, 0.5 × h
  assert.equal(a.fx, 1.2);
  assert.equal(a.fy, 0.5);
  const grown = { x: 1000, y: 800, w: 250, h: 60 };
  const v = offsetForAnchor(a, grown, 4000, 3000, 800, 600);
  const p = toScene(v, 420, 270);
  assert.deepEqual([p.x, p.y], [grown.x + 1.2 * grown.w, grown.y + 0.5 * grown.h]);
  // Nothing under the pointer: the same fraction of the whole scene.
  const n = zoomAnchor({ x: 0, y: 0 }, 400, 300, null, 800, 600);
  assert.deepEqual(offsetForAnchor(n, null, 1600, 1200, 800, 600), { x: 400, y: 300 });
});

test("showing an object moves the window the least, with a margin", () => {
  const v = { x: 0, y: 0 };
  assert.deepEqual(offsetToShow(v, { x: 100, y: 100, w: 50, h: 50 }, 800, 600), { x: 0, y: 0 }, "already in view");
  assert.deepEqual(offsetToShow(v, { x: 1000, y: 100, w: 50, h: 50 }, 800, 600, 20), { x: 270, y: 0 });
  assert.deepEqual(offsetToShow({ x: 500, y: 500 }, { x: 100, y: 100, w: 50, h: 50 }, 800, 600, 20), { x: 80, y: 80 });
  assert.ok(intersects({ x: 270, y: 0 }, { x: 1000, y: 100, w: 50, h: 50 }, 800, 600));
  assert.ok(!intersects({ x: 0, y: 0 }, { x: 1000, y: 100, w: 50, h: 50 }, 800, 600));
});

test("a wheel notch zooms in when scrolled up, out when down, the same amount both ways", () => {
  assert.ok(wheelFactor(-100) > 1 && wheelFactor(100) < 1);
  assert.ok(Math.abs(wheelFactor(-100) * wheelFactor(100) - 1) < 1e-9);
  assert.equal(wheelFactor(-3, 1), wheelFactor(-99), "lines are about 33 px");
});

test("10,000 pods: counted per node when the whole picture fits, single pods when zoomed in", () => {
  const view = deriveView(applySnapshot(emptyModel(), bigSnapshot({ nodes: 100, pods: 10000 })));
  const size = { width: 1380, height: 680 };
  const whole = layoutScene(view, { ...size, fontSize: 16 });
  assert.equal(whole.lod.nodes, "group", "pods are counted per node");
  assert.ok([...whole.refRects.keys()].every((k) => !k.startsWith("Pod:")), "no single pods");
  const z = maxZoom(view.pods.length, size.width, size.height, 16);
  const deep = layoutScene(view, { width: size.width * z, height: size.height * z, fontSize: 16 });
  assert.equal(deep.lod.nodes, "full", "every pod is its own box");
  assert.equal(deep.anchors.nodes.size, 100, "every node drawn");
  assert.equal([...deep.refRects.keys()].filter((k) => k.startsWith("Pod:")).length, view.pods.length);
  assert.ok(deep.F <= 16, "never larger type than the canvas itself gets");
});
