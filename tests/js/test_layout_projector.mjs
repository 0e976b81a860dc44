// Projector rules: at 1280×720 (with or without the YAML/Console panel) and 1024×768 nothing being
// taught disappears: 8–12 Services are all drawn or summarised, every Service shows its slices'
// fills ("100/100 · 1/100"), and the Service and nodes a trace passes are always in the picture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { layoutScene, sliceFills } from "../../static/js/layout.js";
import { manyServicesView } from "./projector_fixture.mjs";

// Canvas areas: the sandbox page at 1280×720, the same with the YAML/Console panel open, the
// presenter view at 1024×768 and at 1280×720.
const SIZES = {
  page: { width: 890, height: 472 },
  tools: { width: 640, height: 420 },
  present1024: { width: 1024, height: 520 },
  present1280: { width: 1280, height: 470 },
};

const boxTexts = (scene) => scene.items.filter((i) => i.type === "box").map((b) => b.lines.map((l) => l.text + (l.right ? ` ${l.right.text}` : "")).join("\n"));

function inside(scene, it) {
  return it.x >= -0.5 && it.y >= -0.5 && it.x + it.w <= scene.width + 0.5 && it.y + it.h <= scene.height + 0.5;
}

test("sliceFills lists each slice against the split point", () => {
  const view = manyServicesView({ extra: 1 });
  assert.equal(sliceFills(view.serviceByKey.get("default/orders"), 100), "100/100 · 1/100");
});

for (const total of [8, 10, 12]) {
  for (const [name, size] of Object.entries(SIZES)) {
    test(`${total} Services at ${name}: the split is drawn as fills, all boxes inside, the band uses the room`, () => {
      const view = manyServicesView({ extra: total - 3 });
      const scene = layoutScene(view, size);
      for (const b of scene.items.filter((i) => i.type === "box")) assert.ok(inside(scene, b), `${b.role} outside`);
      const all = boxTexts(scene).join("\n");
      assert.match(all, /100\/100 · 1\/100/, "the orders Service's two slices, with their fills");
      const drawn = scene.anchors.services.size;
      // Either every Service is drawn, or at least six are and the rest are counted.
      const more = scene.items.find((i) => i.type === "text" && /more services/.test(i.text));
      if (drawn < total) {
        assert.ok(drawn >= 6, `only ${drawn} of ${total} Services drawn`);
        assert.ok(more, "hidden Services are counted");
      }
      assert.equal(scene.anchors.nodes.size, 3, "every node drawn");
      assert.ok(scene.F >= 13);
    });
  }
}

test("the focused trace's Service is drawn even when the others are summarised", () => {
  const view = manyServicesView({ extra: 11 }); // 14 Services on the narrowest canvas
  const plain = layoutScene(view, SIZES.tools);
  const hidden = [...view.serviceByKey.keys()].find((k) => !plain.anchors.services.has(k));
  assert.ok(hidden, "some Service is summarised as +N more");
  const focused = layoutScene(view, { ...SIZES.tools, focus: { services: [hidden], nodes: ["node-3"] } });
  assert.ok(focused.anchors.services.has(hidden), `${hidden} drawn`);
  assert.ok(focused.anchors.byIP.has(view.serviceByKey.get(hidden).clusterIP), "its clusterIP is an anchor for the packet");
  assert.ok(focused.anchors.nodes.has("node-3"));
  assert.equal(focused.anchors.services.size, plain.anchors.services.size, "as many Services drawn as before");
});

test("a focus that is already drawn leaves the order alone", () => {
  const view = manyServicesView({ extra: 5 });
  const a = layoutScene(view, SIZES.page);
  const b = layoutScene(view, { ...SIZES.page, focus: { services: ["default/kubia"], nodes: [] } });
  assert.deepEqual([...b.anchors.services.keys()], [...a.anchors.services.keys()]);
});
