// Change marks: what an `events` batch added, removed or (for EndpointSlices) changed, drawn for a
// moment over the cached static layer. Pure: events + the scenes before and after -> marks.
// The renderer draws them (Renderer.drawMarks); main.js keeps them alive for MARK_MS.

import { t } from "./i18n.js";
import { objectKey } from "./state.js";

export const MARK_MS = 1500;
export const MAX_MARKS = 60;
export const MARK_KINDS = ["Service", "EndpointSlice", "Node", "Pod"]; // also the order of priority under the cap

const PRIORITY = new Map(MARK_KINDS.map((k, i) => [k, i]));

/**
 * events: [{seq, type: ADDED|MODIFIED|DELETED, kind, object}] (one batch or several, in any order);
 * prevScene / nextScene: layout scenes (only their refRects are read).
 * Returns {marks: [{ref, what, kind: "added"|"deleted"|"modified", rect}], overflow: {added: {Pod: n}, deleted: {...}}}
 * - ADDED (and not deleted again in the same batch) with a rect in nextScene -> "added";
 * - DELETED (and not added in the same batch) with a rect in prevScene -> "deleted" (at the old rect);
 * - MODIFIED EndpointSlice with a rect in nextScene -> "modified"; MODIFIED of other kinds: nothing;
 * - at most `max` marks (Services, slices, nodes before pods); the rest, and added / deleted objects
 *   the scene has no rect for (pods drawn as glyphs at scale), are counted in `overflow`.
 */
export function changeMarks(events, prevScene, nextScene, { max = MAX_MARKS } = {}) {
  const byRef = new Map(); // ref id -> {what, first, last}
  const sorted = [...(events || [])].filter((e) => e && e.kind && e.object && PRIORITY.has(e.kind));
  sorted.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  for (const ev of sorted) {
    const id = `${ev.kind}:${objectKey(ev.kind, ev.object)}`;
    const cur = byRef.get(id);
    if (cur) cur.last = ev.type;
    else byRef.set(id, { what: ev.kind, first: ev.type, last: ev.type, order: byRef.size });
  }
  const candidates = [];
  const overflow = { added: {}, deleted: {} };
  const count = (kind, what) => (overflow[kind][what] = (overflow[kind][what] || 0) + 1);
  const prevRects = (prevScene && prevScene.refRects) || new Map();
  const nextRects = (nextScene && nextScene.refRects) || new Map();
  for (const [ref, c] of byRef) {
    let kind = null;
    if (c.last === "DELETED") kind = c.first === "ADDED" ? null : "deleted";
    else if (c.first === "ADDED" || c.last === "ADDED") kind = "added";
    else if (c.what === "EndpointSlice") kind = "modified";
    if (!kind) continue;
    const rect = kind === "deleted" ? prevRects.get(ref) : nextRects.get(ref);
    if (!rect) {
      if (kind !== "modified") count(kind, c.what);
      continue;
    }
    candidates.push({ ref, what: c.what, kind, rect: { x: rect.x, y: rect.y, w: rect.w, h: rect.h }, order: c.order });
  }
  candidates.sort((a, b) => PRIORITY.get(a.what) - PRIORITY.get(b.what) || a.order - b.order);
  const limit = Math.max(0, max);
  const marks = candidates.slice(0, limit).map(({ order, ...m }) => m);
  for (const m of candidates.slice(limit)) if (m.kind !== "modified") count(m.kind, m.what);
  return { marks, overflow };
}

/** Add `b`'s counts to `a` (both {added: {Pod: n}, deleted: {...}}); returns a new object. */
export function addOverflow(a, b) {
  const out = { added: { ...((a && a.added) || {}) }, deleted: { ...((a && a.deleted) || {}) } };
  for (const kind of ["added", "deleted"]) for (const [what, n] of Object.entries((b && b[kind]) || {})) out[kind][what] = (out[kind][what] || 0) + n;
  return out;
}

export function overflowCount(o) {
  if (!o) return 0;
  return [...Object.values(o.added || {}), ...Object.values(o.deleted || {})].reduce((s, n) => s + n, 0);
}

/** "+40 pods · −3 pods" (what the summary mark on the cluster frame says). */
export function overflowText(o) {
  const parts = [];
  for (const [kind, sign] of [["added", "+"], ["deleted", "−"]]) {
    for (const what of MARK_KINDS) {
      const n = (o && o[kind] && o[kind][what]) || 0;
      if (n) parts.push(t(`marks.more.${what}`, { sign, n }));
    }
  }
  return parts.join(" · ");
}

/**
 * The marks still shown after a new batch: `fresh` replaces an active mark of the same ref, except
 * that a "modified" ring does not hide an "added" one still showing. Marks keep {t0} (null = not yet
 * drawn: the clock starts on the first frame that shows the new scene).
 */
export function mergeMarks(active, fresh) {
  const out = new Map(active.map((m) => [m.ref, m]));
  for (const m of fresh) {
    const old = out.get(m.ref);
    if (old && m.kind === "modified" && old.kind === "added") continue;
    out.delete(m.ref);
    out.set(m.ref, { ...m, t0: null });
  }
  return [...out.values()];
}

/** Where a mark is drawn with motion: a ring that pulses outward twice and fades. Reduced: fixed. */
export function markStyle(age, reduced) {
  const p = Math.max(0, Math.min(1, age / MARK_MS));
  if (reduced) return { alpha: 1, off: 4 };
  const pulse = 0.5 - 0.5 * Math.cos(p * Math.PI * 4); // 0 -> 1 -> 0, twice
  return { alpha: Math.max(0, 1 - p * p), off: 3 + 5 * pulse };
}
