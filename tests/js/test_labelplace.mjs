// The packet's label never covers the names of the boxes when there is a clear place near it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nameRects, placeLabel } from "../../static/js/labelplace.js";
import { layoutScene } from "../../static/js/layout.js";
import { manyServicesView } from "./projector_fixture.mjs";

const hits = (r, rects) => rects.some((n) => r.x < n.x + n.w && n.x < r.x + r.w && r.y < n.y + n.h && n.y < r.y + r.h);

test("above the packet when that is clear", () => {
  const p = placeLabel(200, 40, 400, 300, [{ x: 0, y: 320, w: 800, h: 20 }], 800, 600);
  assert.equal(p.covered, 0);
  assert.ok(p.y + 40 <= 300);
});

test("moves off a name above the packet", () => {
  const name = { x: 300, y: 240, w: 200, h: 20 };
  const p = placeLabel(200, 40, 400, 300, [name], 800, 600);
  assert.equal(p.covered, 0);
  assert.ok(!hits({ x: p.x, y: p.y, w: 200, h: 40 }, [name]));
});

test("on a crowded 1280x720 picture: clear of every name at each Service and node anchor", () => {
  const scene = layoutScene(manyServicesView({ extra: 7 }), { width: 890, height: 472 });
  const rects = nameRects(scene);
  const points = [...scene.anchors.services.values(), ...scene.anchors.nodes.values(), ...scene.anchors.lbs.values()];
  let clear = 0;
  for (const a of points) {
    const p = placeLabel(330, 40, a.x, a.y, rects, scene.width, scene.height);
    if (p.covered === 0) clear++;
    assert.ok(p.x >= 0 && p.y >= 0 && p.x + 330 <= scene.width && p.y + 40 <= scene.height);
  }
  assert.ok(clear >= points.length * 0.8, `${clear} of ${points.length} clear`);
});
