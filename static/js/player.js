// The playback timeline: a simulation clock (ms), speed, pause, and the packets on it.
// Stepping moves the clock to the next/previous stop of the focused packet, so every packet on
// screen stays consistent with it. Bounded: at most `maxAnims` packets are kept.

import { stopIndexAt } from "./anim.js";

export const SPEEDS = [0.25, 0.5, 1, 2, 4];

export class Player {
  constructor({ maxAnims = 40, stagger = 120 } = {}) {
    this.clock = 0;
    this.speed = 1;
    this.paused = false;
    this.anims = [];
    this.focusId = null;
    this.maxAnims = maxAnims;
    this.stagger = stagger;
  }

  /**
   * Add packets that start now, staggered so a batch of 20 reads as 20 (traces of one batch may
   * arrive in several websocket messages: continueBatch keeps the stagger going). The first of a
   * new batch gets the focus.
   */
  addBatch(anims, { focus = true, continueBatch = false } = {}) {
    if (!continueBatch || this.batchStart === undefined) {
      this.batchStart = this.clock;
      this.batchCount = 0;
    }
    for (const a of anims) {
      a.start = Math.max(this.clock, this.batchStart + this.batchCount * this.stagger);
      this.batchCount += 1;
      this.anims.push(a);
    }
    if (focus && anims.length) this.focusId = anims[0].id;
    this._bound();
    return anims;
  }

  _bound() {
    while (this.anims.length > this.maxAnims) {
      const i = this.anims.findIndex((a) => a.id !== this.focusId);
      if (i < 0) break;
      this.anims.splice(i, 1);
    }
  }

  advance(dtMs) {
    if (this.paused) return;
    this.clock += dtMs * this.speed;
    // Forget finished packets (the focused one stays so it can be stepped back through).
    this.anims = this.anims.filter((a) => a.id === this.focusId || this.clock <= a.start + a.duration + 500);
  }

  /** True while some packet still has to move (drives the loop; idle otherwise). */
  busy() {
    if (this.paused) return false;
    return this.anims.some((a) => this.clock <= a.start + a.duration);
  }

  focused() {
    return this.anims.find((a) => a.id === this.focusId) || null;
  }

  focus(id) {
    this.focusId = id;
  }

  /** Packets alive at time `clock` (all by default), with their local time. */
  live(clock = this.clock) {
    const out = [];
    for (const a of this.anims) {
      const lt = clock - a.start;
      if (lt >= 0 && lt <= a.duration) out.push({ anim: a, lt });
    }
    return out;
  }

  togglePause() {
    this.paused = !this.paused;
    return this.paused;
  }

  setSpeed(s) {
    this.speed = Math.max(0.25, Math.min(4, Number(s) || 1));
  }

  _stepPos(stop) {
    return stop.arrive + Math.min(250, stop.dwell / 2);
  }

  /** Move to the next (dir > 0) or previous (dir < 0) stop of the focused packet and pause. */
  step(dir) {
    const a = this.focused();
    if (!a) return null;
    this.paused = true;
    const lt = this.clock - a.start;
    let target = null;
    if (dir > 0) {
      target = a.stops.find((s) => this._stepPos(s) > lt + 1);
      if (!target) {
        this.clock = a.start + a.endStart + 1;
        return { anim: a, stop: a.stops.length - 1 };
      }
    } else {
      for (const s of a.stops) if (this._stepPos(s) < lt - 1) target = s;
      if (!target) target = a.stops[0];
    }
    this.clock = a.start + this._stepPos(target);
    return { anim: a, stop: a.stops.indexOf(target) };
  }

  /** Show hop `hopIndex` of animation `anim` (its last stop for that hop), paused. */
  seekHop(anim, hopIndex) {
    if (!this.anims.includes(anim)) {
      anim.start = this.clock;
      this.anims.push(anim);
      this._bound();
    }
    this.focusId = anim.id;
    let target = anim.stops[0];
    for (const s of anim.stops) if (s.hop === hopIndex) target = s;
    this.paused = true;
    this.clock = anim.start + this._stepPos(target);
  }

  /** The focused packet's current stop and hop (for the inspector and the trace log). */
  cursor() {
    const a = this.focused();
    if (!a) return null;
    const lt = this.clock - a.start;
    if (lt < 0) return { anim: a, stop: 0, hop: 0, started: false };
    const k = stopIndexAt(a, lt);
    return { anim: a, stop: k, hop: a.stops[k] ? a.stops[k].hop : 0, started: true, ended: lt > a.endStart };
  }
}
