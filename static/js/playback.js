// Trace playback: the traces received and stored, their batches (one request's traces animate
// together), replay and hop seeking, the trace log and inspector following the focused packet, and
// the objects the picture must keep drawn for the traces shown (tracefocus.js).

import { buildAnimation, remapLocalTime } from "./anim.js";
import { fetchTraceHistory } from "./tracehistory.js";
import { missingFromScene, requestKey, traceFocus } from "./tracefocus.js";

const MAX_TRACES = 60;
const MAX_BATCHES = 20;
const BATCH_GAP_MS = 700; // traces of one request further apart than this start a new batch

export class TracePlayback {
  /**
   * deps: {player, controls, tracelog, inspector, getScene, hasView, relayout, wake, emit,
   *        onSeek(trace, hop, {showTab}) (the page clears its selection, shows the inspector tab),
   *        historyUrl, stats}
   */
  constructor(deps) {
    this.deps = deps;
    this.traces = [];
    this.traceById = new Map();
    this.batches = [];
    this.pending = [];
    this.flushTimer = null;
    this.lastTraceAt = -Infinity;
    this.lastRequest = "";
    this.historyAsked = false;
    this.focus = traceFocus([]);
    deps.tracelog.onShow(() => this.refocus());
  }

  get player() {
    return this.deps.player;
  }

  trace(id) {
    return this.traceById.get(String(id));
  }

  /** A trace from the websocket (or the request's answer): animated with its request's batch. */
  add(trace) {
    if (!trace || trace.id === undefined || trace.id === null || this.traceById.has(String(trace.id))) return;
    this._keep(trace);
    this.pending.push(trace);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 30);
  }

  _keep(trace) {
    this.traceById.set(String(trace.id), trace);
    this.traces.push(trace);
    while (this.traces.length > MAX_TRACES) this.traceById.delete(String(this.traces.shift().id));
  }

  /** Stored traces, loaded once after the first snapshot: the history picker and Replay work after a reload. */
  addHistory(list) {
    const { tracelog, controls, stats } = this.deps;
    let added = 0;
    for (const tr of list || []) {
      if (!tr || tr.id === undefined || tr.id === null || this.traceById.has(String(tr.id))) continue;
      this.traceById.set(String(tr.id), tr);
      this.traces.push(tr);
      added++;
    }
    if (!added) return;
    this.traces.sort((a, b) => Number(a.id) - Number(b.id));
    while (this.traces.length > MAX_TRACES) this.traceById.delete(String(this.traces.shift().id));
    if (!tracelog.trace && this.traces.length) {
      const last = this.traces[this.traces.length - 1];
      this.batches.push([last]);
      tracelog.showTrace(last);
    }
    tracelog.setTraces(this.traces, tracelog.trace ? tracelog.trace.id : null);
    controls.setReplayable(true);
    stats.historyLoaded = added;
  }

  loadHistory() {
    if (this.historyAsked || !this.deps.historyUrl) return;
    this.historyAsked = true;
    fetchTraceHistory(this.deps.historyUrl).then((list) => this.addHistory(list), () => {});
  }

  /** Animate the traces received since the last flush (after the first layout, too). */
  flush() {
    this.flushTimer = null;
    const { player, controls, tracelog, inspector } = this.deps;
    const scene = this.deps.getScene();
    if (!scene || !this.deps.hasView()) return; // flushed by the first layout
    // One request's traces may come in several messages; another request starts its own batch.
    const key = requestKey(this.pending[0]);
    const cut = this.pending.findIndex((tr) => requestKey(tr) !== key);
    const batch = cut < 0 ? this.pending : this.pending.slice(0, cut);
    this.pending = cut < 0 ? [] : this.pending.slice(cut);
    if (!batch.length) return;
    const now = performance.now();
    const newBatch = now - this.lastTraceAt > BATCH_GAP_MS || key !== this.lastRequest;
    this.lastTraceAt = now;
    this.lastRequest = key;
    if (newBatch) {
      this.batches.push(batch.slice());
      if (this.batches.length > MAX_BATCHES) this.batches = this.batches.slice(-MAX_BATCHES);
      player.paused = false;
      controls.setPaused(false);
    } else this.batches[this.batches.length - 1].push(...batch);
    player.addBatch(
      batch.map((tr) => buildAnimation(tr, scene.anchors)),
      { focus: newBatch, continueBatch: !newBatch },
    );
    if (newBatch) {
      tracelog.showTrace(batch[0]);
      if (inspector.mode !== "object") inspector.showHop(batch[0], 0);
    }
    tracelog.setTraces(this.traces, player.focusId);
    controls.setReplayable(true);
    this.refocus();
    if (this.pending.length) this.flush();
    this.deps.wake();
  }

  /** Flush what waited for the first layout. */
  flushWaiting() {
    if (this.pending.length && !this.flushTimer) this.flush();
  }

  /**
   * The Service, nodes and pods of the trace shown and of every packet in flight stay in the
   * picture (layout.js, opts.focus), even when the others are folded into "+N more".
   */
  refocus() {
    const shown = new Set(this.player.anims.map((a) => a.trace));
    if (this.deps.tracelog.trace) shown.add(this.deps.tracelog.trace);
    const focus = traceFocus([...shown]);
    if (focus.key === this.focus.key) return;
    this.focus = focus;
    const scene = this.deps.getScene();
    if (scene && missingFromScene(focus, scene.anchors).length) this.deps.relayout();
  }

  /** Packets in flight follow a new picture, each staying at the same point of its path. */
  follow(scene) {
    const player = this.player;
    for (const a of player.anims) {
      const b = buildAnimation(a.trace, scene.anchors);
      a.start = player.clock - remapLocalTime(a, b, player.clock - a.start);
      a.stops = b.stops;
      a.endStart = b.endStart;
      a.duration = b.duration;
    }
  }

  replay() {
    const { player, controls, tracelog } = this.deps;
    const scene = this.deps.getScene();
    const focusId = player.focusId;
    const batch = this.batches.find((b) => b.some((tr) => tr.id === focusId)) || this.batches[this.batches.length - 1];
    if (!batch || !scene) return;
    player.paused = false;
    controls.setPaused(false);
    player.addBatch(
      batch.map((tr) => ({ ...buildAnimation(tr, scene.anchors), id: tr.id })),
      { focus: true },
    );
    // The replayed copies replace the old ones (same ids).
    const fresh = new Set(player.anims.slice(-batch.length));
    player.anims = player.anims.filter((a) => fresh.has(a) || !batch.some((tr) => tr.id === a.id));
    tracelog.showTrace(batch[0]);
    this.deps.wake();
  }

  seekHop(trace, hopIndex, { showTab }) {
    const { player, controls, tracelog, inspector } = this.deps;
    const scene = this.deps.getScene();
    if (!scene) return;
    let anim = player.anims.find((a) => a.id === trace.id);
    if (!anim) anim = buildAnimation(trace, scene.anchors);
    player.seekHop(anim, hopIndex);
    controls.setPaused(true);
    controls.setReplayable(true);
    if (tracelog.trace !== trace) tracelog.showTrace(trace);
    tracelog.setCurrent(hopIndex);
    inspector.showHop(trace, hopIndex);
    tracelog.setTraces(this.traces, trace.id);
    this.deps.onSeek(trace, hopIndex, { showTab });
    this.deps.emit("hop", { trace, hop: hopIndex });
    this.deps.wake();
  }

  /** The step buttons: the first press starts at the newest trace's first hop. */
  step(dir) {
    const { player, controls, inspector } = this.deps;
    if (!player.focused() && this.traces.length) {
      this.seekHop(this.traces[this.traces.length - 1], 0, { showTab: false });
      return;
    }
    if (player.step(dir)) {
      controls.setPaused(true);
      if (inspector.mode !== "object") inspector.mode = "hop";
      const cur = player.cursor();
      if (cur) this.deps.emit("step", { trace: cur.anim.trace, hop: cur.hop });
      this.deps.wake();
    }
  }

  /** The trace log and the inspector follow the focused packet's current hop. */
  followCursor() {
    const { player, tracelog, inspector } = this.deps;
    const cur = player.cursor();
    if (!cur || !cur.started) return;
    const trace = cur.anim.trace;
    if (tracelog.trace !== trace) tracelog.showTrace(trace);
    tracelog.setCurrent(cur.hop);
    if (inspector.mode !== "object" && (!inspector.current || inspector.current.trace !== trace || inspector.current.hopIndex !== cur.hop)) {
      inspector.showHop(trace, cur.hop);
    }
  }
}
