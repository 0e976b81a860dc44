// Zoom and pan of the picture: which zoom the next layout is made at, which window of the scene
// the renderer shows, the object kept under the pointer while zooming, and following the focused
// packet in a zoomed picture. The math is viewport.js's; this keeps the state and drives the page.

import { t } from "./i18n.js";
import { chooseFontSize } from "./layout.js";
import { clampOffset, clampZoom, intersects, maxZoom, offsetForAnchor, offsetToShow, toScene, zoomAnchor } from "./viewport.js";

const FOLLOW_AFTER_HAND_MS = 1500; // after a pan or zoom by hand the window waits for the next stop

export class ZoomView {
  /**
   * deps: {renderer, getScene, getPodCount, scheduleLayout, relayout, wake, stats,
   *        badge (an element saying the zoom, hidden at 1×)}
   */
  constructor(deps) {
    this.deps = deps;
    this.z = 1;
    this.offset = { x: 0, y: 0 };
    this.anchor = null;
    this.followed = "";
    this.movedByHandAt = -Infinity;
  }

  get width() {
    return this.deps.renderer.cssW;
  }

  get height() {
    return this.deps.renderer.cssH;
  }

  limit() {
    return maxZoom(this.deps.getPodCount(), this.width, this.height, chooseFontSize(this.width, this.height));
  }

  /** The size and type size the next layout is made at (the zoom kept within its limit). */
  layoutSize() {
    this.z = clampZoom(this.z, this.limit());
    return { width: this.width * this.z, height: this.height * this.z, fontSize: chooseFontSize(this.width, this.height) };
  }

  /** A new scene: the zoom's anchor back under the pointer, else the same window, inside the scene. */
  placed(scene) {
    const a = this.anchor;
    this.anchor = null;
    if (a) this.setOffset(offsetForAnchor(a, a.ref ? scene.refRects.get(`${a.ref.kind}:${a.ref.key}`) : null, scene.width, scene.height, this.width, this.height));
    else this.setOffset(this.offset);
  }

  toScene(x, y) {
    return toScene(this.offset, x, y);
  }

  inView(rect) {
    return intersects(this.offset, rect, this.width, this.height);
  }

  setOffset(v) {
    const scene = this.deps.getScene();
    if (!scene) return;
    this.offset = clampOffset(v, scene.width, scene.height, this.width, this.height);
    this.deps.renderer.setView(this.offset);
    this.deps.stats.zoom = { z: this.z, x: this.offset.x, y: this.offset.y, max: this.limit() };
    const badge = this.deps.badge;
    if (badge) {
      badge.hidden = this.z === 1;
      badge.textContent = t("canvas.zoom", { z: Math.round(this.z * 10) / 10 });
    }
    this.deps.wake();
  }

  zoomBy(factor, sx, sy) {
    const scene = this.deps.getScene();
    if (!scene) return;
    const z = clampZoom(this.z * factor, this.limit());
    if (Math.abs(z - this.z) < 0.001) return;
    this.movedByHandAt = performance.now();
    if (!this.anchor) {
      // The object under the pointer stays under it (its place in the new layout may differ).
      const p = this.toScene(sx, sy);
      this.anchor = zoomAnchor(this.offset, sx, sy, smallestRectAt(scene, p.x, p.y), scene.width, scene.height);
    }
    this.z = z;
    this.deps.scheduleLayout();
  }

  panBy(dx, dy) {
    this.movedByHandAt = performance.now();
    this.setOffset({ x: this.offset.x + dx, y: this.offset.y + dy });
  }

  reset() {
    if (this.z === 1 && !this.offset.x && !this.offset.y) return;
    this.z = 1;
    this.anchor = null;
    this.offset = { x: 0, y: 0 };
    this.deps.relayout();
  }

  show(rect) {
    this.setOffset(offsetToShow(this.offset, rect, this.width, this.height));
  }

  /**
   * In a zoomed picture the window follows the focused packet, so every object it passes is seen:
   * at each new stop (a step while paused, too), and while it plays unless the picture was just
   * moved by hand (then it waits for the next stop). Never while the pointer holds the picture.
   */
  follow(anim, s, { paused, holding }) {
    const key = `${anim.id}:${s.stopIndex}`;
    const newStop = key !== this.followed;
    this.followed = key;
    if (this.z === 1 || holding) return;
    if (!newStop && (paused || performance.now() - this.movedByHandAt < FOLLOW_AFTER_HAND_MS)) return;
    const inner = { x: this.offset.x + 40, y: this.offset.y + 40, w: this.width - 80, h: this.height - 80 };
    if (s.x >= inner.x && s.x <= inner.x + inner.w && s.y >= inner.y && s.y <= inner.y + inner.h) return;
    this.show({ x: s.x - 60, y: s.y - 60, w: 120, h: 120 });
  }
}

/** The smallest drawn object at (x, y): a pod before its node, a slice before its card. */
function smallestRectAt(scene, x, y) {
  let best = null;
  for (const r of scene.refRects.values()) {
    if (x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h && (!best || r.w * r.h < best.w * best.h)) best = r;
  }
  return best;
}
