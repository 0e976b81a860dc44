import { test } from "node:test";
import assert from "node:assert/strict";
import { runRects } from "../../static/js/renderer.js";

const grid = { x: 0, y: 0, cols: 10, w: 8, h: 8, stepX: 10, stepY: 10 };

test("a run of glyph cells within one row is one rectangle", () => {
  assert.deepEqual(runRects(grid, 2, 3), [{ x: 19, y: -1, w: 30, h: 10 }]);
});

test("a run over several rows is its first row, its full rows and its last row", () => {
  assert.deepEqual(runRects(grid, 7, 25), [
    { x: 69, y: -1, w: 30, h: 10 },
    { x: -1, y: 9, w: 100, h: 20 },
    { x: -1, y: 29, w: 20, h: 10 },
  ]);
  assert.equal(runRects(grid, 5, 10).length, 2); // two partial rows, nothing between
});

test("pod boxes: their own width, height and pitch", () => {
  assert.deepEqual(runRects({ x: 10, y: 20, cols: 2, w: 100, h: 20, stepX: 104, stepY: 26 }, 1, 2), [
    { x: 112, y: 17, w: 104, h: 26 },
    { x: 8, y: 43, w: 104, h: 26 },
  ]);
});
