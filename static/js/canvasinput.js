// Selection and keys on the picture: click or Enter selects an object, the arrow keys move between
// objects (the view follows), and the view zooms and pans with the mouse (wheel, drag, double
// click), touch (pinch, drag) and keys (+ / - / 0, Shift + arrows) while the canvas has the focus.
// The presenter view's arrows leave the canvas alone (presenter.js), and the canvas's + and - are
// taken before the page's speed keys (controls.js) see them.

import { t } from "./i18n.js";
import { hitTest, refId } from "./layout.js";
import { wheelFactor } from "./viewport.js";

const DRAG_PX = 5; // a pointer that moved less than this is a click, not a pan
const KEY_ZOOM = 1.5;

export class CanvasInput {
  /**
   * els: {canvas, announce}
   * deps: {getScene, toScene(x, y), onSelect(ref, opts), onInspect(ref), onSelectionChange(ref),
   *        wake, zoomBy(factor, sx, sy), panBy(dx, dy), resetZoom(), show(rect)}
   */
  constructor(els, deps) {
    this.canvas = els.canvas;
    this.announceEl = els.announce || null;
    this.deps = deps;
    this.selection = null;
    this.kbIndex = -1;
    this.kbFocusRef = null;
    this.pointers = new Map(); // pointerId -> {x, y} of the pointers down on the canvas
    this.dragged = false;
    this.pinch = null;
    this._hoverPending = false;
    this._wire();
  }

  get scene() {
    return this.deps.getScene();
  }

  /** Select an object (or none) and tell the page. */
  select(ref, opts = {}) {
    this.selection = ref || null;
    this.deps.onSelect(this.selection, opts);
  }

  clear() {
    if (!this.selection) return false;
    this.selection = null;
    this.deps.onSelect(null, { cleared: true });
    return true;
  }

  /** After a new layout: the keyboard focus stays on an object that is still drawn. */
  sceneChanged(scene) {
    if (this.kbIndex >= scene.focusOrder.length) this.kbIndex = scene.focusOrder.length - 1;
    if (this.kbFocusRef && !scene.refRects.has(refId(this.kbFocusRef))) this.kbFocusRef = null;
  }

  focusItem(i) {
    const scene = this.scene;
    if (!scene || !scene.focusOrder.length) return;
    this.kbIndex = Math.max(0, Math.min(scene.focusOrder.length - 1, i));
    const item = scene.focusOrder[this.kbIndex];
    this.kbFocusRef = item.ref;
    this.deps.show(item);
    if (this.announceEl) this.announceEl.textContent = t("canvas.focusItem", { label: item.label || refId(item.ref), n: this.kbIndex + 1, total: scene.focusOrder.length });
    this.deps.wake();
  }

  _point(ev) {
    const r = this.canvas.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  }

  _hit(ev) {
    const { x, y } = this._point(ev);
    const p = this.deps.toScene(x, y);
    return hitTest(this.scene, p.x, p.y);
  }

  _wire() {
    const c = this.canvas;
    c.addEventListener("click", (ev) => {
      if (this.dragged) return; // the end of a pan is not a click
      const hit = this._hit(ev);
      const scene = this.scene;
      if (hit) {
        const i = scene.focusOrder.findIndex((h) => refId(h.ref) === refId(hit.ref));
        if (i >= 0) this.kbIndex = i;
        this.select(hit.ref);
      } else if (this.selection) {
        this.selection = null;
        this.deps.onSelect(null, { silent: true });
      }
    });
    c.addEventListener("dblclick", (ev) => {
      const { x, y } = this._point(ev);
      this.deps.zoomBy(ev.shiftKey ? 0.5 : 2, x, y); // drill in (Shift: back out)
      ev.preventDefault();
    });
    c.addEventListener("mousemove", (ev) => {
      if (this._hoverPending || this.pointers.size) return;
      this._hoverPending = true;
      requestAnimationFrame(() => {
        this._hoverPending = false;
        c.style.cursor = this._hit(ev) ? "pointer" : "default";
      });
    });
    c.addEventListener(
      "wheel",
      (ev) => {
        const { x, y } = this._point(ev);
        ev.preventDefault();
        if (ev.ctrlKey || !ev.shiftKey) this.deps.zoomBy(wheelFactor(ev.deltaY, ev.deltaMode), x, y);
        else this.deps.panBy(ev.deltaY, 0);
      },
      { passive: false },
    );
    c.addEventListener("pointerdown", (ev) => {
      if (ev.pointerType === "mouse" && ev.button !== 0) return;
      this.pointers.set(ev.pointerId, this._point(ev));
      this.dragged = false;
      if (this.pointers.size === 2) this.pinch = this._pinchState();
    });
    c.addEventListener("pointermove", (ev) => {
      const prev = this.pointers.get(ev.pointerId);
      if (!prev) return;
      const p = this._point(ev);
      if (this.pointers.size === 2 && this.pinch) {
        this.pointers.set(ev.pointerId, p);
        const now = this._pinchState();
        if (now.dist > 0 && this.pinch.dist > 0) this.deps.zoomBy(now.dist / this.pinch.dist, now.x, now.y);
        this.deps.panBy(this.pinch.x - now.x, this.pinch.y - now.y);
        this.pinch = now;
        this.dragged = true;
        return;
      }
      const dx = p.x - prev.x;
      const dy = p.y - prev.y;
      if (!this.dragged && Math.hypot(dx, dy) < DRAG_PX) return;
      if (!this.dragged) {
        this.dragged = true;
        try {
          c.setPointerCapture(ev.pointerId);
        } catch {
          // a pointer that is already gone cannot be captured
        }
        c.style.cursor = "grabbing";
      }
      this.pointers.set(ev.pointerId, p);
      this.deps.panBy(-dx, -dy);
    });
    const up = (ev) => {
      if (!this.pointers.delete(ev.pointerId)) return;
      if (this.pointers.size < 2) this.pinch = null;
      if (!this.pointers.size) c.style.cursor = "default";
      // `dragged` stays set until the next press, so the click that ends a pan is ignored.
    };
    c.addEventListener("pointerup", up);
    c.addEventListener("pointercancel", up);
    c.addEventListener("focus", () => this.focusItem(this.kbIndex < 0 ? 0 : this.kbIndex));
    c.addEventListener("blur", () => {
      this.kbFocusRef = null;
      this.deps.wake();
    });
    c.addEventListener("keydown", (ev) => this._key(ev));
  }

  _pinchState() {
    const [a, b] = [...this.pointers.values()];
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, dist: Math.hypot(a.x - b.x, a.y - b.y) };
  }

  _key(ev) {
    const scene = this.scene;
    if (!scene || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    const pan = { ArrowRight: [w / 4, 0], ArrowLeft: [-w / 4, 0], ArrowDown: [0, h / 4], ArrowUp: [0, -h / 4] }[ev.key];
    if (ev.shiftKey && pan) {
      this.deps.panBy(pan[0], pan[1]);
      ev.preventDefault();
      return;
    }
    switch (ev.key) {
      case "ArrowRight":
      case "ArrowDown":
        this.focusItem(this.kbIndex + 1);
        break;
      case "ArrowLeft":
      case "ArrowUp":
        this.focusItem(this.kbIndex - 1);
        break;
      case "Home":
        this.focusItem(0);
        break;
      case "End":
        this.focusItem(scene.focusOrder.length - 1);
        break;
      case "Enter":
      case " ":
        if (this.kbFocusRef) this.select(this.kbFocusRef, { showTab: true });
        break;
      case "+":
      case "=":
        this.deps.zoomBy(KEY_ZOOM, w / 2, h / 2);
        break;
      case "-":
      case "_":
        this.deps.zoomBy(1 / KEY_ZOOM, w / 2, h / 2);
        break;
      case "0":
        this.deps.resetZoom();
        break;
      default:
        return;
    }
    ev.preventDefault();
  }
}
