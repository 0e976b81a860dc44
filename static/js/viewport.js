// Pure: zoom and pan of the picture. Zooming lays the scene out again on a larger virtual canvas
// (zoom × the element's size, with the same font size), so the level of detail grows with the
// zoom down to single pods; panning moves a window of the element's size over that scene.
// Scene coordinates are the layout's; screen coordinates are CSS pixels in the canvas element.

export const MIN_ZOOM = 1;

/**
 * The largest useful zoom: enough room to draw every pod as its own labelled box (about 14 × 2
 * font sizes each, with the node boxes around them), never less than 2 nor more than 16.
 */
export function maxZoom(pods, width, height, fontSize = 13) {
  const perPod = fontSize * 15 * (fontSize * 2.6);
  const need = (Math.max(0, pods) * perPod * 2.2) / Math.max(1, width * height);
  return Math.max(2, Math.min(16, Math.ceil(Math.sqrt(need) * 4) / 4));
}

export function clampZoom(z, max) {
  return Math.max(MIN_ZOOM, Math.min(max, z));
}

/** The offset (x, y) kept inside the scene: no empty band beyond its edges. */
export function clampOffset(v, sceneW, sceneH, width, height) {
  return {
    ...v,
    x: Math.round(Math.max(0, Math.min(Math.max(0, sceneW - width), v.x))),
    y: Math.round(Math.max(0, Math.min(Math.max(0, sceneH - height), v.y))),
  };
}

export function toScene(v, sx, sy) {
  return { x: sx + v.x, y: sy + v.y };
}

export function toScreen(v, x, y) {
  return { x: x - v.x, y: y - v.y };
}

/**
 * Where the old scene point under the screen point (sx, sy) is, as a fraction of a rectangle that
 * both scenes draw (the object under the pointer), or of the whole scene when there is none.
 */
export function zoomAnchor(v, sx, sy, rect, sceneW, sceneH) {
  const p = toScene(v, sx, sy);
  if (rect && rect.w > 0 && rect.h > 0) return { sx, sy, ref: rect.ref || null, fx: (p.x - rect.x) / rect.w, fy: (p.y - rect.y) / rect.h };
  return { sx, sy, ref: null, fx: p.x / Math.max(1, sceneW), fy: p.y / Math.max(1, sceneH) };
}

/** The offset that puts the anchor back under its screen point in the new scene. */
export function offsetForAnchor(anchor, rect, sceneW, sceneH, width, height) {
  let x;
  let y;
  if (rect) {
    x = rect.x + anchor.fx * rect.w - anchor.sx;
    y = rect.y + anchor.fy * rect.h - anchor.sy;
  } else {
    x = anchor.fx * sceneW - anchor.sx;
    y = anchor.fy * sceneH - anchor.sy;
  }
  return clampOffset({ x, y }, sceneW, sceneH, width, height);
}

/** The smallest move that brings rect (scene coordinates) into the window, `margin` inside it. */
export function offsetToShow(v, rect, width, height, margin = 24) {
  let { x, y } = v;
  const m = Math.min(margin, Math.max(0, (width - rect.w) / 2), Math.max(0, (height - rect.h) / 2));
  if (rect.x - m < x) x = rect.x - m;
  else if (rect.x + rect.w + m > x + width) x = Math.min(rect.x - m, rect.x + rect.w + m - width);
  if (rect.y - m < y) y = rect.y - m;
  else if (rect.y + rect.h + m > y + height) y = Math.min(rect.y - m, rect.y + rect.h + m - height);
  return { x, y };
}

/** Does rect (scene coordinates) touch the window at offset v? */
export function intersects(v, rect, width, height) {
  return rect.x < v.x + width && rect.x + rect.w > v.x && rect.y < v.y + height && rect.y + rect.h > v.y;
}

/** The zoom step of one wheel notch (deltaY in pixels; trackpads send many small ones). */
export function wheelFactor(deltaY, deltaMode = 0) {
  const px = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-Math.max(-300, Math.min(300, px)) * 0.0025);
}
