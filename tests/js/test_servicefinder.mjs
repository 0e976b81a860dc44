// The Services listed as "not in view": folded or outside the window, searchable by name or IP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { servicesOutOfView } from "../../static/js/servicefinder.js";

const services = [
  { key: "default/web", clusterIP: "10.96.0.20" },
  { key: "default/api", clusterIP: "10.96.0.21" },
  { key: "shop/cart", clusterIP: "10.96.7.9" },
];
const drawn = new Set(["default/web"]);
const rectOf = (key) => (drawn.has(key) ? { x: 0, y: 0, w: 10, h: 10 } : null);

test("only the Services without a box in the window are listed, in the view's order", () => {
  assert.deepEqual(servicesOutOfView(services, rectOf), ["default/api", "shop/cart"]);
});

test("the search matches part of the name or of the clusterIP", () => {
  assert.deepEqual(servicesOutOfView(services, rectOf, " CART "), ["shop/cart"]);
  assert.deepEqual(servicesOutOfView(services, rectOf, "10.96.0."), ["default/api"]);
  assert.deepEqual(servicesOutOfView(services, rectOf, "web"), [], "drawn already");
});
