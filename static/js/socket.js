// The websocket session: connect, reconnect with backoff, resume from the last seq, and keep the
// event stream gap-free. The protocol itself is in README.md, Live updates.

import { isPacked, unpackSnapshot } from "./snapshotcodec.js";

/**
 * Given the last applied seq and a batch of events, return the events to apply (contiguous, new),
 * the new last seq, and whether a gap was found (then the caller must resume).
 * Events with seq <= lastSeq are duplicates and are skipped. Pure.
 */
export function sequenceEvents(lastSeq, events) {
  if (lastSeq === null || lastSeq === undefined) return { apply: [], lastSeq, gap: false, ignored: true };
  const sorted = [...(events || [])].filter((e) => typeof e.seq === "number").sort((a, b) => a.seq - b.seq);
  const apply = [];
  let seq = lastSeq;
  for (const ev of sorted) {
    if (ev.seq <= seq) continue;
    if (ev.seq !== seq + 1) return { apply, lastSeq: seq, gap: true };
    apply.push(ev);
    seq = ev.seq;
  }
  return { apply, lastSeq: seq, gap: false };
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 15 s. Pure given `random`. */
export function backoffDelay(attempt, { base = 500, max = 15000, random = Math.random } = {}) {
  const raw = Math.min(max, base * 2 ** Math.min(attempt, 16));
  return Math.round(raw * (0.6 + 0.4 * random()));
}

/** `ws_url` is a path (`/ws/clusters/1/`) or already absolute; pick ws: or wss: by page protocol. */
export function socketUrl(path, loc) {
  if (/^wss?:\/\//.test(path)) return path;
  const proto = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${loc.host}${path.startsWith("/") ? "" : "/"}${path}`;
}

/**
 * What every page socket shares: connect, reconnect with backoff (none after a fatal close code),
 * `stop`, `retryNow`, `send`, joining a big message sent in parts (visualizer/framing.py) and
 * unpacking a packed snapshot (snapshotcodec.js).
 * A subclass says where to connect (`_connectUrl`), what a first connect is (`_fresh`), and
 * reads whole messages (`_onWhole(msg)`); `_opened`, `_beforeConnect` and `_closed` are hooks.
 */
export class ReconnectingSocket {
  constructor(url, handlers, env = {}, fatalCodes = new Set()) {
    this.url = url;
    this.h = handlers;
    this.fatalCodes = fatalCodes;
    this.WS = env.WebSocket || globalThis.WebSocket;
    this.setTimeout = env.setTimeout || globalThis.setTimeout.bind(globalThis);
    this.clearTimeout = env.clearTimeout || globalThis.clearTimeout.bind(globalThis);
    this.random = env.random || Math.random;
    this.ws = null;
    this.parts = []; // of a message sent in parts
    this.held = null; // messages that came while a packed snapshot was unpacked, in order
    this.attempt = 0;
    this.retryTimer = null;
    this.stopped = false;
    this.denied = false;
  }

  start() {
    this.stopped = false;
    this._connect();
  }

  stop() {
    this.stopped = true;
    this.clearTimeout(this.retryTimer);
    if (this.ws) this.ws.close(1000);
    this._status("closed");
  }

  /** Reconnect now (e.g. the browser came back online or the tab became visible). */
  retryNow() {
    if (this.stopped || this.denied || (this.ws && this.ws.readyState <= 1)) return;
    this.clearTimeout(this.retryTimer);
    this._connect();
  }

  send(msg) {
    if (this.ws && this.ws.readyState === 1) {
      this.ws.send(JSON.stringify(msg));
      return true;
    }
    return false;
  }

  get connected() {
    return Boolean(this.ws && this.ws.readyState === 1);
  }

  _status(state, extra = {}) {
    if (this.h.onStatus) this.h.onStatus({ state, attempt: this.attempt, ...extra });
  }

  _fresh() {
    return this.attempt === 0;
  }

  _connectUrl() {
    return this.url;
  }

  _beforeConnect() {}

  _opened() {}

  _closed() {}

  _connect() {
    this._status(this._fresh() ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new this.WS(this._connectUrl());
    } catch {
      this._scheduleRetry();
      return;
    }
    this._beforeConnect();
    this.ws = ws;
    this.parts = [];
    this.held = null;
    ws.onopen = () => {
      this.attempt = 0;
      this._status("open");
      this._opened();
    };
    ws.onmessage = (ev) => this._onMessage(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this._closed();
      if (this.stopped) return;
      if (this.fatalCodes.has(ev.code)) {
        this.denied = true;
        this._status("denied", { code: ev.code });
        return;
      }
      this._scheduleRetry();
    };
    ws.onerror = () => {
      /* onclose follows and schedules the retry */
    };
  }

  _scheduleRetry() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, { random: this.random });
    this.attempt += 1;
    this._status("waiting", { retryIn: delay });
    this.retryTimer = this.setTimeout(() => this._connect(), delay);
  }

  _onMessage(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (!msg || typeof msg !== "object") return;
    if (msg.type !== "part") {
      this._read(msg);
      return;
    }
    // A big message in parts: join them, then read the whole.
    if (msg.n !== this.parts.length) this.parts = [];
    else this.parts.push(String(msg.data));
    if (this.parts.length && this.parts.length === msg.of) {
      const whole = this.parts.join("");
      this.parts = [];
      this._onMessage(whole);
    }
  }

  // A packed snapshot is unpacked (async) before it is read, and whatever comes meanwhile is read
  // after it, in order, so events never reach a model the snapshot has not replaced yet.
  _read(msg) {
    if (this.held) {
      this.held.push(msg);
      return;
    }
    if (!isPacked(msg)) {
      this._onWhole(msg);
      return;
    }
    const ws = this.ws;
    this.held = [];
    unpackSnapshot(msg).then(
      (whole) => {
        if (this.ws !== ws) return; // reconnected meanwhile: the new connection starts over
        const held = this.held;
        this.held = null;
        this._onWhole(whole);
        for (const next of held) this._read(next); // a later packed snapshot holds the rest again
      },
      () => {
        // Unreadable: reconnect, as after any broken connection, and get a fresh answer.
        if (this.ws === ws) ws.close(4000);
      },
    );
  }

  _onWhole() {}
}

// Close codes after which retrying cannot help (application range, agreed with the consumer).
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4404]);

export class ClusterSocket extends ReconnectingSocket {
  /**
   * handlers: onStatus({state, retryIn, attempt}), onHello, onSnapshot, onEvents(events),
   * onTrace(trace), onError(message), onOther(msg).
   */
  constructor(url, handlers, env = {}) {
    super(url, handlers, env, FATAL_CLOSE_CODES);
    this.lastSeq = null;
    this.resyncing = false;
    this.resyncTimer = null;
  }

  stop() {
    this.clearTimeout(this.resyncTimer);
    super.stop();
  }

  // Holding state already: `?since=` makes the server answer with just what we missed
  // (or a snapshot when its log cannot reach back), instead of a whole snapshot first.
  _connectUrl() {
    this.resuming = this.lastSeq !== null;
    return this.resuming ? `${this.url}${this.url.includes("?") ? "&" : "?"}since=${this.lastSeq}` : this.url;
  }

  _opened() {
    if (this.resuming) this._awaitResync();
  }

  _closed() {
    this.resyncing = false;
  }

  _resume() {
    this.send({ type: "resume", since: this.lastSeq });
    this._awaitResync();
  }

  _awaitResync() {
    this.resyncing = true;
    this.clearTimeout(this.resyncTimer);
    // If the answer never comes (dropped by a full channel layer queue), ask again.
    this.resyncTimer = this.setTimeout(() => {
      if (this.resyncing && this.connected) this._resume();
    }, 5000);
  }

  _onWhole(msg) {
    switch (msg.type) {
      case "hello":
        if (this.h.onHello) this.h.onHello(msg);
        break;
      case "snapshot":
        this.lastSeq = typeof msg.seq === "number" ? msg.seq : null;
        this.resyncing = false;
        this.clearTimeout(this.resyncTimer);
        if (this.h.onSnapshot) this.h.onSnapshot(msg);
        break;
      case "events": {
        const r = sequenceEvents(this.lastSeq, msg.events);
        if (r.ignored) break;
        if (r.apply.length) {
          this.lastSeq = r.lastSeq;
          if (this.h.onEvents) this.h.onEvents(r.apply);
        }
        if (r.gap) {
          if (!this.resyncing) this._resume();
        } else if (this.resyncing) {
          // Any gap-free batch (also the possibly empty answer to `resume`) means we are in sync.
          this.resyncing = false;
          this.clearTimeout(this.resyncTimer);
        }
        break;
      }
      case "trace":
        if (msg.trace && this.h.onTrace) this.h.onTrace(msg.trace);
        break;
      case "error":
        if (this.h.onError) this.h.onError(msg.message || "");
        break;
      default:
        if (this.h.onOther) this.h.onOther(msg);
    }
  }
}
