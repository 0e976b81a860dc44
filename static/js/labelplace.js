// Where the packet's label goes: near the packet, never over the names of the boxes it passes.
// Pure: given the label's size, the packet's point, the names' rectangles and the canvas, pick the
// candidate place that covers the least name area (above, below, the four corners, then further out).

const cache = new WeakMap();

/** The name strip (first text line) of every box of a scene: what a label must not cover. */
export function nameRects(scene) {
  if (cache.has(scene)) return cache.get(scene);
  const out = [];
  for (const it of scene.items || []) {
    if (it.type !== "box" || !it.lines || !it.lines.length) continue;
    const first = it.lines[0];
    const h = Math.min(it.h, Math.max(8, (first.y - it.y) * 2));
    out.push({ x: it.x, y: it.y, w: it.w, h });
  }
  cache.set(scene, out);
  return out;
}

function overlap(a, b) {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * w, h: the label's size; px, py: the packet; rects: names to keep clear; W, H: the canvas.
 * Returns {x, y, covered} (covered: name area still under the label, 0 when it found a clear place).
 */
export function placeLabel(w, h, px, py, rects, W, H, gap = 16) {
  const clampX = (x) => Math.round(Math.max(8, Math.min(W - w - 8, x)));
  const clampY = (y) => Math.round(Math.max(6, Math.min(H - h - 6, y)));
  const cands = [];
  for (const step of [0, 1, 2, 3]) {
    const d = gap + step * (h * 0.75);
    cands.push([px - w / 2, py - d - h], [px - w / 2, py + d]);
    cands.push([px + gap + step * w * 0.3, py - d - h], [px - w - gap - step * w * 0.3, py - d - h]);
    cands.push([px + gap + step * w * 0.3, py + d], [px - w - gap - step * w * 0.3, py + d]);
  }
  let best = null;
  for (const [cx, cy] of cands) {
    const r = { x: clampX(cx), y: clampY(cy), w, h };
    // The label must not sit on the packet itself either.
    if (px > r.x - 10 && px < r.x + w + 10 && py > r.y - 10 && py < r.y + h + 10) continue;
    let covered = 0;
    for (const n of rects) covered += overlap(r, n);
    const dist = Math.hypot(r.x + w / 2 - px, r.y + h / 2 - py);
    const score = covered * 4 + dist;
    if (!best || score < best.score) best = { x: r.x, y: r.y, covered, score };
  }
  if (!best) {
    let y = Math.round(py - gap - h);
    if (y < 6) y = Math.round(py + gap);
    return { x: clampX(px - w / 2), y, covered: -1 };
  }
  return { x: best.x, y: best.y, covered: best.covered };
}
