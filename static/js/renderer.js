// Canvas drawing only. The static picture (layout scene) is painted into a cached layer that is
// rebuilt only when the scene changes, at most every `minRebuildMs`; each frame then costs one
// drawImage plus the moving packets and the selection rings (benchmarks/canvas_fps.py measures it).
// A zoomed scene is larger than the canvas: the view offset (viewport.js) says which window of it
// is shown; the layer holds only that window (what lies outside is not drawn), and while a pan
// waits for the next rebuild the old layer is drawn shifted.

import { nameRects, placeLabel } from "./labelplace.js";
import { HANGUL_FAMILY, SANS, refId } from "./layout.js";
import { t } from "./i18n.js";
import { markStyle } from "./marks.js";

// Hangul syllables and jamo (what the Hangul web font covers), and its advance width in em.
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;
const HANGUL_GLOBAL = new RegExp(HANGUL.source, "g");
const HANGUL_ADVANCE = 0.92;

export const PALETTE = {
  bg: "#ffffff",
  text: "#0f172a",
  muted: "#475569",
  frame: { fill: "#f8fafc", stroke: "#334155" },
  client: { fill: "#ffffff", stroke: "#0f172a" },
  lb: { fill: "#e0f2fe", stroke: "#0369a1" },
  service: { fill: "#e0e7ff", stroke: "#4338ca" },
  endpoints: { fill: "#ffffff", stroke: "#64748b" },
  slice: { fill: "#f5f3ff", stroke: "#6d28d9" },
  more: { fill: "#ffffff", stroke: "#94a3b8" },
  node: { fill: "#eef2f7", stroke: "#334155" },
  group: { fill: "#ffffff", stroke: "#94a3b8" },
  cta: { fill: "#fffbeb", stroke: "#b45309" },
  legend: { fill: "#ffffff", stroke: "#cbd5e1" },
  pod: {
    ready: { fill: "#dcfce7", stroke: "#15803d" },
    notready: { fill: "#fee2e2", stroke: "#b91c1c" },
    pending: { fill: "#f1f5f9", stroke: "#64748b" },
    terminating: { fill: "#fef3c7", stroke: "#b45309" },
  },
  icon: { ready: "#15803d", notready: "#b91c1c", pending: "#475569", terminating: "#b45309", service: "#4338ca", endpoints: "#334155", slice: "#6d28d9", lb: "#0369a1", client: "#0f172a" },
  badge: { fill: "#fff7ed", stroke: "#c2410c", text: "#7c2d12" },
  packet: "#1d4ed8",
  label: { bg: "rgba(15, 23, 42, 0.93)", text: "#ffffff", hiBg: "#fde047", hiText: "#111827" },
  select: "#111827",
  focus: "#1d4ed8",
  mark: { added: "#15803d", deleted: "#b91c1c", modified: "#6d28d9", summary: "#0f172a" },
};

function makeLayer(w, h) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(w, h);
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  return c;
}

/**
 * Pods start..start+count-1 of a node drawn row-major (glyphs or boxes: `{x, y, cols, w, h, stepX,
 * stepY}`, a pod's size and pitch) as up to three rectangles: first row, full rows, last row.
 */
export function runRects(geo, start, count) {
  const { x, y, cols, w, h, stepX, stepY } = geo;
  const padX = Math.max(1, (stepX - w) / 2);
  const padY = Math.max(1, (stepY - h) / 2);
  const end = start + count - 1;
  const [r0, c0, r1, c1] = [Math.floor(start / cols), start % cols, Math.floor(end / cols), end % cols];
  const rect = (row0, col0, row1, col1) => ({ x: x + col0 * stepX - padX, y: y + row0 * stepY - padY, w: (col1 - col0) * stepX + w + 2 * padX, h: (row1 - row0) * stepY + h + 2 * padY });
  if (r0 === r1) return [rect(r0, c0, r0, c1)];
  const rects = [rect(r0, c0, r0, cols - 1)];
  if (r1 - r0 > 1) rects.push(rect(r0 + 1, 0, r1 - 1, cols - 1));
  rects.push(rect(r1, 0, r1, c1));
  return rects;
}

function runOutline(c, geo, start, count) {
  for (const r of runRects(geo, start, count)) c.rect(r.x, r.y, r.w, r.h);
}

function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  if (ctx.roundRect) ctx.roundRect(x, y, w, h, r);
  else ctx.rect(x, y, w, h);
}

/** Status and object icons as vector shapes (no emoji font needed; shape carries the meaning). */
export function drawIcon(ctx, kind, x, y, s) {
  const c = PALETTE.icon[kind] || PALETTE.text;
  ctx.save();
  ctx.strokeStyle = c;
  ctx.fillStyle = c;
  ctx.lineWidth = Math.max(1.8, s / 7);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  const h = s / 2;
  ctx.beginPath();
  switch (kind) {
    case "ready": // check mark
      ctx.moveTo(x + s * 0.12, y);
      ctx.lineTo(x + s * 0.4, y + h * 0.55);
      ctx.lineTo(x + s * 0.9, y - h * 0.65);
      ctx.stroke();
      break;
    case "notready": // cross
      ctx.moveTo(x + s * 0.18, y - h * 0.6);
      ctx.lineTo(x + s * 0.82, y + h * 0.6);
      ctx.moveTo(x + s * 0.82, y - h * 0.6);
      ctx.lineTo(x + s * 0.18, y + h * 0.6);
      ctx.stroke();
      break;
    case "terminating": // hourglass
      ctx.moveTo(x + s * 0.2, y - h * 0.75);
      ctx.lineTo(x + s * 0.8, y - h * 0.75);
      ctx.lineTo(x + s * 0.2, y + h * 0.75);
      ctx.lineTo(x + s * 0.8, y + h * 0.75);
      ctx.closePath();
      ctx.stroke();
      break;
    case "pending": // clock
      ctx.arc(x + s / 2, y, h * 0.75, 0, Math.PI * 2);
      ctx.moveTo(x + s / 2, y);
      ctx.lineTo(x + s / 2, y - h * 0.45);
      ctx.moveTo(x + s / 2, y);
      ctx.lineTo(x + s / 2 + h * 0.35, y);
      ctx.stroke();
      break;
    case "service": // one in, three out
      ctx.moveTo(x + s * 0.05, y);
      ctx.lineTo(x + s * 0.45, y);
      ctx.moveTo(x + s * 0.45, y);
      ctx.lineTo(x + s * 0.9, y - h * 0.7);
      ctx.moveTo(x + s * 0.45, y);
      ctx.lineTo(x + s * 0.9, y);
      ctx.moveTo(x + s * 0.45, y);
      ctx.lineTo(x + s * 0.9, y + h * 0.7);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(x + s * 0.45, y, s * 0.12, 0, Math.PI * 2);
      ctx.fill();
      break;
    case "endpoints": // list
      for (const dy of [-0.55, 0, 0.55]) {
        ctx.moveTo(x + s * 0.12, y + h * dy);
        ctx.lineTo(x + s * 0.2, y + h * dy);
        ctx.moveTo(x + s * 0.35, y + h * dy);
        ctx.lineTo(x + s * 0.9, y + h * dy);
      }
      ctx.stroke();
      break;
    case "slice": // stacked pages
      ctx.strokeRect(x + s * 0.1, y - h * 0.45, s * 0.6, h * 1.2);
      ctx.beginPath();
      ctx.moveTo(x + s * 0.3, y - h * 0.45);
      ctx.lineTo(x + s * 0.3, y - h * 0.75);
      ctx.lineTo(x + s * 0.9, y - h * 0.75);
      ctx.lineTo(x + s * 0.9, y + h * 0.45);
      ctx.lineTo(x + s * 0.7, y + h * 0.45);
      ctx.stroke();
      break;
    case "lb": // fan-out
      ctx.moveTo(x + s * 0.05, y);
      ctx.lineTo(x + s * 0.4, y);
      ctx.lineTo(x + s * 0.9, y - h * 0.7);
      ctx.moveTo(x + s * 0.4, y);
      ctx.lineTo(x + s * 0.9, y + h * 0.7);
      ctx.stroke();
      break;
    case "client": // screen
      ctx.strokeRect(x + s * 0.1, y - h * 0.7, s * 0.8, h * 1.05);
      ctx.beginPath();
      ctx.moveTo(x + s * 0.3, y + h * 0.75);
      ctx.lineTo(x + s * 0.7, y + h * 0.75);
      ctx.stroke();
      break;
    default:
      break;
  }
  ctx.restore();
}

/** The rectangle an item covers (scene coordinates), for culling what is outside the window. */
function itemBounds(it) {
  switch (it.type) {
    case "grid": {
      const rows = Math.ceil(it.pods.length / it.cols);
      return { x: it.x, y: it.y, w: it.cols * (it.cell + it.gap), h: rows * (it.cell + it.gap) };
    }
    case "arrow":
      return { x: Math.min(it.from.x, it.to.x) - 8, y: Math.min(it.from.y, it.to.y) - 8, w: Math.abs(it.to.x - it.from.x) + 16, h: Math.abs(it.to.y - it.from.y) + 16 };
    case "text":
      return { x: it.align === "right" ? it.x - 2000 : it.x - 1000, y: it.y - 20, w: 3000, h: 40 };
    default:
      return it;
  }
}

function visible(r, x, y, w, h) {
  return r.x < x + w && r.x + r.w > x && r.y < y + h && r.y + r.h > y;
}

function styleFor(item) {
  if (item.role === "pod") return PALETTE.pod[item.state] || PALETTE.pod.pending;
  return PALETTE[item.role] || PALETTE.endpoints;
}

export class Renderer {
  constructor(canvas, { minRebuildMs = 100 } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.minRebuildMs = minRebuildMs;
    this.dpr = 1;
    this.cssW = 0;
    this.cssH = 0;
    this.scene = null;
    this.layer = null;
    this.dirty = false;
    this.lastBuild = -Infinity;
    this.stats = { builds: 0, lastBuildMs: 0, selectedPodRuns: 0 };
    this.view = { x: 0, y: 0 }; // the window of the scene shown (viewport.js)
    this.built = { x: 0, y: 0 }; // the window the layer holds
    this._mcache = new Map();
    this._mctx = makeLayer(8, 8).getContext("2d");
    this.hangul = "unknown"; // unknown | system (a local Korean font draws it) | loading | ready | failed
    this.fontsLoaded = null; // a promise once the Hangul web font was asked for
    this._lastFrame = null;
    this.measure = (text, font) => {
      const k = font + "\u0000" + text;
      let w = this._mcache.get(k);
      if (w === undefined) {
        if (this._mcache.size > 20000) this._mcache.clear();
        w = HANGUL.test(text) ? this._measureHangul(text, font) : this._measureText(text, font);
        this._mcache.set(k, w);
      }
      return w;
    };
  }

  _measureText(text, font) {
    this._mctx.font = font;
    return this._mctx.measureText(text).width;
  }

  /**
   * Canvas text never waits for a web font: until the Hangul face is loaded it would be drawn and
   * measured as empty boxes. The first Hangul asks for the font; meanwhile its syllables are measured
   * at the face's advance (0.92 em), so the layout made now still fits once the glyphs arrive, and
   * the picture is repainted then.
   */
  _measureHangul(text, font) {
    if (this.hangul === "unknown") this._watchHangul();
    if (this.hangul !== "loading") return this._measureText(text, font);
    const m = /(\d+(?:\.\d+)?)px/.exec(font);
    const px = m ? parseFloat(m[1]) : 13;
    const rest = text.replace(HANGUL_GLOBAL, "");
    return this._measureText(rest, font) + (text.length - rest.length) * px * HANGUL_ADVANCE;
  }

  _watchHangul() {
    const fonts = typeof document !== "undefined" ? document.fonts : null;
    if (!fonts || !fonts.load || !fonts.check) {
      this.hangul = "failed";
      return;
    }
    const faces = ["16px", "bold 16px"].map((f) => `${f} "${HANGUL_FAMILY}"`);
    if (faces.every((f) => fonts.check(f, "가"))) {
      this.hangul = "ready"; // loaded already (Korean pages wait for it: hangul.js)
      return;
    }
    // A Korean system font earlier in the stack draws Hangul itself: nothing to wait for. Without
    // one, "가" falls back to the same missing-glyph box as a character no font has.
    const withoutWebFont = `16px ${SANS.replace(`"${HANGUL_FAMILY}", `, "")}`;
    if (this._measureText("가", withoutWebFont) !== this._measureText("\u{10FFFD}", withoutWebFont)) {
      this.hangul = "system";
      return;
    }
    this.hangul = "loading";
    this.fontsLoaded = Promise.all(faces.map((f) => fonts.load(f, "가"))).then(
      (loaded) => (this.hangul = loaded.every((list) => list.length) ? "ready" : "failed"),
      () => (this.hangul = "failed"),
    ).then((state) => {
      this._mcache.clear();
      this.dirty = true;
      this.lastBuild = -Infinity;
      if (this._lastFrame) this.drawFrame(performance.now(), this._lastFrame); // the loop may be asleep
      return state;
    });
  }

  /** Match the backing store to the element size and devicePixelRatio (crisp text). */
  resize(cssW, cssH, dpr) {
    const w = Math.max(1, Math.floor(cssW));
    const h = Math.max(1, Math.floor(cssH));
    const d = Math.max(1, Math.min(3, dpr || 1));
    if (w === this.cssW && h === this.cssH && d === this.dpr) return false;
    this.cssW = w;
    this.cssH = h;
    this.dpr = d;
    this.canvas.width = Math.round(w * d);
    this.canvas.height = Math.round(h * d);
    this.layer = makeLayer(this.canvas.width, this.canvas.height);
    this.dirty = true;
    this.lastBuild = -Infinity; // a resized layer must be repainted now
    return true;
  }

  setScene(scene) {
    this.scene = scene;
    this.dirty = true;
  }

  /** Show the window at offset {x, y} of the scene (drawn shifted until the layer is rebuilt). */
  setView(v) {
    if (v.x === this.view.x && v.y === this.view.y) return;
    this.view = { x: v.x, y: v.y };
    this.dirty = true;
  }

  /** A rebuild is waiting (the loop keeps running until it happened). */
  pending() {
    return this.dirty;
  }

  buildIfDue(now) {
    if (!this.dirty || !this.scene || !this.layer) return false;
    if (now - this.lastBuild < this.minRebuildMs) return false;
    const t0 = performance.now();
    const c = this.layer.getContext("2d");
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.clearRect(0, 0, this.layer.width, this.layer.height);
    c.setTransform(this.dpr, 0, 0, this.dpr, -this.view.x * this.dpr, -this.view.y * this.dpr);
    this._drawStatic(c, this.scene);
    this.built = { ...this.view };
    this.dirty = false;
    this.lastBuild = now;
    this.stats.builds += 1;
    this.stats.lastBuildMs = Math.round((performance.now() - t0) * 10) / 10;
    return true;
  }

  _drawStatic(c, scene) {
    const { x: vx, y: vy } = this.view;
    const W = this.cssW;
    const H = this.cssH;
    c.fillStyle = PALETTE.bg;
    c.fillRect(vx, vy, W, H);
    c.textBaseline = "middle";
    for (const it of scene.items) {
      if (!visible(itemBounds(it), vx, vy, W, H)) continue;
      switch (it.type) {
        case "frame":
          this._frame(c, it);
          break;
        case "box":
          this._box(c, it, scene);
          break;
        case "badge":
          this._badge(c, it, scene);
          break;
        case "grid":
          this._grid(c, it);
          break;
        case "arrow":
          this._arrow(c, it);
          break;
        case "text":
          c.font = scene.fonts[it.font] || scene.fonts.n;
          c.fillStyle = it.muted ? PALETTE.muted : PALETTE.text;
          c.textAlign = it.align || "left";
          c.fillText(it.text, it.x, it.y);
          c.textAlign = "left";
          break;
        default:
          break;
      }
    }
  }

  _frame(c, it) {
    roundRect(c, it.x, it.y, it.w, it.h, 10);
    c.fillStyle = PALETTE.frame.fill;
    c.fill();
    c.lineWidth = 2;
    c.strokeStyle = PALETTE.frame.stroke;
    c.stroke();
    c.fillStyle = PALETTE.text;
    c.font = this.scene.fonts[it.title.font];
    c.fillText(it.title.text, it.title.x, it.title.y);
    if (it.sub && it.sub.text) {
      c.font = this.scene.fonts[it.sub.font];
      c.fillStyle = PALETTE.muted;
      c.textAlign = "right";
      c.fillText(it.sub.text, it.sub.x, it.sub.y);
      c.textAlign = "left";
    }
  }

  _box(c, it, scene) {
    const st = styleFor(it);
    roundRect(c, it.x, it.y, it.w, it.h, it.role === "pod" ? 5 : 7);
    c.fillStyle = st.fill;
    c.fill();
    c.lineWidth = it.role === "service" || it.role === "node" ? 2 : 1.5;
    c.strokeStyle = st.stroke;
    if (it.dashed) c.setLineDash([6, 4]);
    c.stroke();
    c.setLineDash([]);
    if (it.gauge !== null && it.gauge !== undefined) {
      // How full the slice is against maxEndpointsPerSlice: a thin bar along the bottom edge.
      const gw = it.w - 12;
      c.fillStyle = "#ddd6fe";
      c.fillRect(it.x + 6, it.y + it.h - 5, gw, 3);
      c.fillStyle = PALETTE.slice.stroke;
      c.fillRect(it.x + 6, it.y + it.h - 5, gw * it.gauge, 3);
    }
    let font = "";
    for (const l of it.lines) {
      if (l.icon) drawIcon(c, l.icon, l.iconX, l.y, scene.F);
      if (l.glyph) {
        const cell = Math.round(scene.F * 0.62);
        this._grid(c, { x: l.glyphX, y: l.y - cell / 2, cell, gap: 0, cols: 1, pods: [{ state: l.glyph }] });
      }
      const f = scene.fonts[l.font] || scene.fonts.n;
      if (f !== font) {
        c.font = f;
        font = f;
      }
      c.fillStyle = l.muted ? PALETTE.muted : PALETTE.text;
      c.fillText(l.text, l.x, l.y);
      if (l.right) {
        c.font = scene.fonts[l.right.font];
        font = c.font;
        c.fillStyle = PALETTE.muted;
        c.textAlign = "right";
        c.fillText(l.right.text, l.right.x, l.y);
        c.textAlign = "left";
      }
    }
  }

  _badge(c, it, scene) {
    roundRect(c, it.x, it.y, it.w, it.h, it.h / 2);
    c.fillStyle = PALETTE.badge.fill;
    c.fill();
    c.lineWidth = 1.5;
    c.strokeStyle = PALETTE.badge.stroke;
    c.stroke();
    c.fillStyle = PALETTE.badge.text;
    c.font = scene.fonts[it.font] || scene.fonts.m;
    c.textAlign = "center";
    c.fillText(it.text, it.x + it.w / 2, it.y + it.h / 2 + 0.5);
    c.textAlign = "left";
  }

  /** Pod glyphs, one path per state: ■ ready, ⊠ not ready, ○ pending, ▲ terminating. */
  _grid(c, it) {
    const { cell, gap, cols } = it;
    const paths = { ready: [], notready: [], pending: [], terminating: [] };
    it.pods.forEach((p, i) => {
      (paths[p.state] || paths.pending).push([it.x + (i % cols) * (cell + gap), it.y + Math.floor(i / cols) * (cell + gap)]);
    });
    c.lineWidth = 1.3;
    if (paths.ready.length) {
      c.fillStyle = PALETTE.pod.ready.stroke;
      c.beginPath();
      for (const [x, y] of paths.ready) c.rect(x, y, cell, cell);
      c.fill();
    }
    if (paths.notready.length) {
      c.strokeStyle = PALETTE.pod.notready.stroke;
      c.beginPath();
      for (const [x, y] of paths.notready) {
        c.rect(x + 0.5, y + 0.5, cell - 1, cell - 1);
        c.moveTo(x + 2, y + 2);
        c.lineTo(x + cell - 2, y + cell - 2);
        c.moveTo(x + cell - 2, y + 2);
        c.lineTo(x + 2, y + cell - 2);
      }
      c.stroke();
    }
    if (paths.pending.length) {
      c.strokeStyle = PALETTE.pod.pending.stroke;
      c.beginPath();
      for (const [x, y] of paths.pending) {
        c.moveTo(x + cell - 1, y + cell / 2);
        c.arc(x + cell / 2, y + cell / 2, cell / 2 - 1, 0, Math.PI * 2);
      }
      c.stroke();
    }
    if (paths.terminating.length) {
      c.fillStyle = PALETTE.pod.terminating.stroke;
      c.beginPath();
      for (const [x, y] of paths.terminating) {
        c.moveTo(x + cell / 2, y);
        c.lineTo(x + cell, y + cell);
        c.lineTo(x, y + cell);
        c.closePath();
      }
      c.fill();
    }
  }

  _arrow(c, it) {
    const { from, to } = it;
    c.strokeStyle = PALETTE.frame.stroke;
    c.fillStyle = PALETTE.frame.stroke;
    c.lineWidth = 2;
    if (it.dashed) c.setLineDash([5, 4]);
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x - 6, to.y);
    c.stroke();
    c.setLineDash([]);
    c.beginPath();
    c.moveTo(to.x, to.y);
    c.lineTo(to.x - 8, to.y - 5);
    c.lineTo(to.x - 8, to.y + 5);
    c.closePath();
    c.fill();
  }

  /**
   * One frame: the cached layer, then overlays.
   * o = {packets: [{sample, focused, anim}], path, pathReached, selection, focusRef, labelHint,
   *      marks: [{ref, kind, rect, t0}], reducedMotion}
   */
  drawFrame(now, o = {}) {
    this._lastFrame = o;
    this.buildIfDue(now);
    const c = this.ctx;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.clearRect(0, 0, this.canvas.width, this.canvas.height);
    // (may be one throttle period stale, and shifted while a pan waits for the rebuild)
    if (this.layer) c.drawImage(this.layer, Math.round((this.built.x - this.view.x) * this.dpr), Math.round((this.built.y - this.view.y) * this.dpr));
    c.setTransform(this.dpr, 0, 0, this.dpr, -this.view.x * this.dpr, -this.view.y * this.dpr);
    const scene = this.scene;
    if (!scene) return;
    if (o.selection) this._ring(c, scene.refRects.get(o.selection), PALETTE.select, [], 3, 3);
    this.stats.selectedPodRuns = o.selection && o.selection.startsWith("Service:") ? this._selectedPods(c, scene, o.selection.slice(8)) : 0;
    if (o.focusRef && o.focusRef !== o.selection) this._ring(c, scene.refRects.get(o.focusRef), PALETTE.focus, [5, 3], 3, 6);
    if (o.marks && o.marks.length) this._marks(c, o.marks, now, Boolean(o.reducedMotion), scene);
    if (o.path && o.path.length > 1) this._path(c, o.path, o.pathReached || 0);
    const packets = o.packets || [];
    // Unfocused packets first (small dots), then the focused one with its label on top.
    c.fillStyle = PALETTE.packet;
    for (const p of packets) {
      if (p.focused) continue;
      const s = p.sample;
      c.globalAlpha = s.alpha * 0.85;
      c.beginPath();
      c.arc(s.x, s.y, 5.5, 0, Math.PI * 2);
      c.fill();
      if (s.badge === "refused" || s.badge === "dropped" || s.badge === "unroutable") {
        c.strokeStyle = PALETTE.pod.notready.stroke;
        c.lineWidth = 2;
        c.beginPath();
        c.moveTo(s.x - 4, s.y - 4);
        c.lineTo(s.x + 4, s.y + 4);
        c.moveTo(s.x + 4, s.y - 4);
        c.lineTo(s.x - 4, s.y + 4);
        c.stroke();
      }
    }
    c.globalAlpha = 1;
    for (const p of packets) if (p.focused) this._focusedPacket(c, p.sample, p.anim, scene);
  }

  /** Change marks: a ring (added / modified) or a dashed ghost (deleted), each with a text tag. */
  _marks(c, marks, now, reduced, scene) {
    const font = scene.fonts.b || scene.fonts.n;
    const tagH = Math.round(scene.F * 1.3);
    c.save();
    c.font = font;
    c.textBaseline = "middle";
    for (const m of marks) {
      if (m.t0 === null || m.t0 === undefined) continue;
      const { alpha, off } = markStyle(now - m.t0, reduced);
      if (alpha <= 0.01) continue;
      const color = PALETTE.mark[m.kind] || PALETTE.text;
      // Added / modified: where the object is now; deleted: where it was.
      const r = m.kind === "summary" || m.kind === "deleted" ? m.rect : scene.refRects.get(m.ref) || m.rect;
      if (!r) continue;
      c.globalAlpha = alpha;
      if (m.kind !== "summary") {
        c.strokeStyle = color;
        c.lineWidth = m.kind === "modified" ? 2 : 2.5;
        c.setLineDash(m.kind === "deleted" ? [6, 4] : []);
        if (m.kind === "deleted") {
          roundRect(c, r.x, r.y, r.w, r.h, 5);
          c.fillStyle = "rgba(254, 226, 226, 0.55)";
          c.fill();
        }
        roundRect(c, r.x - off, r.y - off, r.w + 2 * off, r.h + 2 * off, 8);
        c.stroke();
        c.setLineDash([]);
      }
      const text = m.text || "";
      if (!text) continue;
      const tw = this.measure(text, font) + 12;
      let tx;
      let ty;
      if (m.kind === "summary") {
        tx = r.x + r.w / 2 - tw / 2;
        ty = r.y - tagH / 2;
      } else {
        tx = r.x + r.w - tw + 4;
        ty = r.y - tagH - 2;
        if (ty < 2) ty = r.y + r.h + 2;
      }
      const { x: vx, y: vy } = this.view;
      tx = Math.max(vx + 2, Math.min(vx + this.cssW - tw - 2, tx));
      ty = Math.max(vy + 2, Math.min(vy + this.cssH - tagH - 2, ty));
      roundRect(c, tx, ty, tw, tagH, tagH / 2);
      c.fillStyle = color;
      c.fill();
      c.fillStyle = "#ffffff";
      c.fillText(text, tx + 6, ty + tagH / 2 + 0.5);
    }
    c.restore();
  }

  /**
   * A selected Service's pods in the nodes (glyphs or boxes): a node lists its pods grouped by the
   * Services that select them, so each group is one run, outlined in at most three rectangles
   * (first row, full rows, last row), whatever the number of pods.
   */
  _selectedPods(c, scene, serviceKey) {
    c.save();
    c.beginPath();
    let runs = 0;
    for (const geo of scene.podRuns || []) {
      for (const run of geo.groups) {
        if (!run.services.includes(serviceKey)) continue;
        runOutline(c, geo, run.start, run.count);
        runs += 1;
      }
    }
    // A white band under the line keeps it visible on dark glyphs and on a washed-out projector.
    c.strokeStyle = "#ffffff";
    c.lineWidth = 5;
    c.stroke();
    c.strokeStyle = PALETTE.select;
    c.lineWidth = 2.5;
    c.stroke();
    c.restore();
    return runs;
  }

  _ring(c, r, color, dash, width, off) {
    if (!r) return;
    c.save();
    c.strokeStyle = color;
    c.lineWidth = width;
    c.setLineDash(dash);
    roundRect(c, r.x - off, r.y - off, r.w + 2 * off, r.h + 2 * off, 8);
    c.stroke();
    c.restore();
  }

  _path(c, pts, reached) {
    c.save();
    c.strokeStyle = PALETTE.packet;
    c.lineJoin = "round";
    c.lineWidth = 1.5;
    c.globalAlpha = 0.35;
    c.setLineDash([3, 5]);
    c.beginPath();
    c.moveTo(pts[0].x, pts[0].y);
    for (const p of pts.slice(1)) c.lineTo(p.x, p.y);
    c.stroke();
    if (reached > 0) {
      c.globalAlpha = 0.6;
      c.setLineDash([]);
      c.lineWidth = 2;
      c.beginPath();
      c.moveTo(pts[0].x, pts[0].y);
      for (const p of pts.slice(1, reached + 1)) c.lineTo(p.x, p.y);
      c.stroke();
    }
    // Small rings at the stops already passed.
    c.globalAlpha = 0.8;
    c.lineWidth = 1.5;
    for (const p of pts.slice(0, reached + 1)) {
      c.beginPath();
      c.arc(p.x, p.y, 3.5, 0, Math.PI * 2);
      c.stroke();
    }
    c.restore();
  }

  _focusedPacket(c, s, anim, scene) {
    c.save();
    c.globalAlpha = s.alpha;
    c.beginPath();
    c.arc(s.x, s.y, 8, 0, Math.PI * 2);
    c.fillStyle = PALETTE.packet;
    c.fill();
    c.lineWidth = 2.5;
    c.strokeStyle = "#ffffff";
    c.stroke();
    c.lineWidth = 1.5;
    c.strokeStyle = PALETTE.text;
    c.beginPath();
    c.arc(s.x, s.y, 10, 0, Math.PI * 2);
    c.stroke();
    this._label(c, s, anim, scene);
    c.restore();
  }

  /** The packet label: destination rewrites `a → b → c`, the changed part bold, boxed and tagged. */
  _label(c, s, anim, scene) {
    const F = scene.F;
    const mono = scene.fonts.m;
    const monoB = scene.fonts.mb;
    const sans = scene.fonts.b;
    const hop = (anim.trace.hops || [])[s.hopIndex] || {};
    const lines = [];
    const maxW = Math.min(scene.width, this.cssW) - 24;
    const chainLine = (prefix, chain, isChanged) => {
      const segs = chain.map((text, i) => ({ text, hi: isChanged && i === chain.length - 1 }));
      const arrow = " → ";
      const width = (list) => this.measure(prefix, sans) + list.reduce((w, sg, i) => w + this.measure(sg.text, sg.hi ? monoB : mono) + (i ? this.measure(arrow, mono) : 0), 0);
      let list = segs;
      while (list.length > 1 && width(list) + 90 > maxW) list = list.slice(1);
      if (list.length < segs.length) list = [{ text: "…", hi: false }, ...list];
      return { prefix, segs: list };
    };
    const dstChanged = s.highlight > 0 && s.changed.includes("dst");
    const srcChanged = s.highlight > 0 && s.changed.includes("src");
    lines.push(chainLine(t("packet.dst"), s.dstChain || [], dstChanged));
    if ((s.srcChain || []).length > 1 || srcChanged) lines.push(chainLine(t("packet.src"), s.srcChain || [], srcChanged));
    let badge = null;
    if (s.badge === "refused") badge = t("packet.refused");
    else if (s.badge === "dropped") badge = t("packet.dropped");
    else if (s.badge === "unroutable") badge = t("packet.unroutable");
    else if (s.badge === "delivered") badge = t("packet.delivered");
    const tag = s.highlight > 0 && hop.action ? ` ◀ ${hop.action}` : "";
    const tagLine = dstChanged ? 0 : srcChanged ? 1 : -1;

    const LH = Math.round(F * 1.45);
    const padX = 8;
    const widths = lines.map((l) => this.measure(l.prefix, sans) + l.segs.reduce((w, sg, i) => w + this.measure(sg.text, sg.hi ? monoB : mono) + (i ? this.measure(" → ", mono) : 0), 0));
    if (tag && tagLine >= 0) widths[tagLine] += this.measure(tag, sans);
    if (badge) widths.push(this.measure(badge, sans));
    const w = Math.min(maxW, Math.max(...widths) + padX * 2);
    const h = (lines.length + (badge ? 1 : 0)) * LH + 8;
    // Near the packet, off the names of the boxes (labelplace.js).
    const { x: vx, y: vy } = this.view;
    const placed = placeLabel(w, h, s.x - vx, s.y - vy, this._visibleNames(scene), this.cssW, this.cssH);
    const x = placed.x + vx;
    const y = placed.y + vy;
    roundRect(c, x, y, w, h, 6);
    c.fillStyle = PALETTE.label.bg;
    c.fill();
    c.textBaseline = "middle";
    lines.forEach((l, li) => {
      let lx = x + padX;
      const ly = y + 4 + li * LH + LH / 2;
      c.font = sans;
      c.fillStyle = PALETTE.label.text;
      c.fillText(l.prefix, lx, ly);
      lx += this.measure(l.prefix, sans);
      l.segs.forEach((sg, i) => {
        if (i) {
          c.font = mono;
          c.fillStyle = PALETTE.label.text;
          c.fillText(" → ", lx, ly);
          lx += this.measure(" → ", mono);
        }
        const f = sg.hi ? monoB : mono;
        const sw = this.measure(sg.text, f);
        if (sg.hi) {
          // Highlight box + bold + underline: the rewritten field, not by colour alone.
          c.globalAlpha = s.alpha * Math.max(0.35, s.highlight);
          c.fillStyle = PALETTE.label.hiBg;
          c.fillRect(lx - 3, ly - LH / 2 + 2, sw + 6, LH - 4);
          c.globalAlpha = s.alpha;
          c.fillStyle = PALETTE.label.hiText;
          c.fillRect(lx, ly + F * 0.55, sw, 1.5);
        } else c.fillStyle = PALETTE.label.text;
        c.font = f;
        c.fillText(sg.text, lx, ly);
        lx += sw;
      });
      if (li === tagLine && tag) {
        c.font = sans;
        c.fillStyle = PALETTE.label.hiBg;
        c.fillText(tag, lx + 4, ly);
      }
    });
    if (badge) {
      const ly = y + 4 + lines.length * LH + LH / 2;
      c.font = sans;
      c.fillStyle = s.badge === "delivered" ? "#86efac" : "#fca5a5";
      c.fillText(badge, x + padX, ly);
    }
  }

  /** The names of the boxes in the window, in window coordinates (labelplace.js keeps off them). */
  _visibleNames(scene) {
    const key = `${this.view.x},${this.view.y},${this.cssW},${this.cssH}`;
    if (this._names && this._names.scene === scene && this._names.key === key) return this._names.rects;
    const { x: vx, y: vy } = this.view;
    const rects = nameRects(scene)
      .filter((r) => visible(r, vx, vy, this.cssW, this.cssH))
      .map((r) => ({ x: r.x - vx, y: r.y - vy, w: r.w, h: r.h }));
    this._names = { scene, key, rects };
    return rects;
  }

  refRect(ref) {
    return this.scene ? this.scene.refRects.get(refId(ref)) : null;
  }
}
