// The class websocket (visualizer/class_consumers.py): the class's numbered messages and, for a
// following student, the sandbox the class looks at (snapshot + events, as socket.js gets them).
// Reconnects with backoff and resumes both streams: ?since=<last class seq>, and
// ?events_since=<last event seq>&view=<sandbox id> for the sandbox. A gap in either stream asks
// for what is missing; a message already held is dropped, so nothing is shown twice.

import { ReconnectingSocket, sequenceEvents } from "./socket.js";

// Class messages numbered by the class's seq (they are kept on the server for resuming).
export const CLASS_TYPES = new Set(["trace", "step", "playback", "select", "question", "reveal", "follow", "spotlight", "end"]);
// Close codes after which retrying cannot help: bad request, not allowed, no such class, refused.
const FATAL_CLOSE_CODES = new Set([4400, 4403, 4404, 4409]);

/**
 * Given the last class seq held and a numbered message: "apply", "duplicate" (already held) or
 * "gap" (something is missing before it: resume first). Pure.
 */
export function classOrder(lastSeq, seq) {
  if (typeof seq !== "number" || lastSeq === null || lastSeq === undefined) return "apply";
  if (seq <= lastSeq) return "duplicate";
  return seq === lastSeq + 1 ? "apply" : "gap";
}

/** The URL to (re)connect with, holding what the screen already has. Pure. */
export function classSocketUrl(base, { classSeq = null, eventsSeq = null, view = "", sandbox = true, student = "" } = {}) {
  const params = [];
  if (!sandbox) params.push("sandbox=0");
  if (student) params.push(`student=${encodeURIComponent(student)}`);
  if (classSeq !== null && classSeq !== undefined) params.push(`since=${classSeq}`);
  if (sandbox && eventsSeq !== null && eventsSeq !== undefined && view) params.push(`events_since=${eventsSeq}`, `view=${encodeURIComponent(view)}`);
  if (!params.length) return base;
  return `${base}${base.includes("?") ? "&" : "?"}${params.join("&")}`;
}

export class ClassSocket extends ReconnectingSocket {
  /**
   * handlers: the sandbox page's (onStatus, onHello, onSnapshot, onEvents, onTrace, onError) and
   * onClass(msg) for every class message (also `class`, `hello`, `answered`, `roster`, `student`,
   * `answer`, `error`). options: {sandbox: false} for the class stream alone.
   */
  constructor(url, handlers, { sandbox = true, env = {} } = {}) {
    super(url, handlers, env, FATAL_CLOSE_CODES);
    this.sandbox = sandbox;
    this.classSeq = null;
    this.eventsSeq = null;
    this.view = "";
    this.student = "";
    this.classResyncing = false;
    this.eventsResyncing = false;
  }

  _fresh() {
    return this.attempt === 0 && this.classSeq === null;
  }

  _connectUrl() {
    return classSocketUrl(this.url, { classSeq: this.classSeq, eventsSeq: this.eventsSeq, view: this.view, sandbox: this.sandbox, student: this.student });
  }

  _beforeConnect() {
    this.classResyncing = false;
    this.eventsResyncing = false;
  }

  _classMessage(msg) {
    const order = classOrder(this.classSeq, msg.seq);
    if (order === "duplicate") return;
    if (order === "gap") {
      // Missed one (a full server queue drops silently): ask for everything after what we hold.
      if (!this.classResyncing) {
        this.classResyncing = true;
        this.send({ type: "class_resume", since: this.classSeq });
      }
      return;
    }
    this.classSeq = msg.seq;
    this.classResyncing = false;
    if (msg.type === "trace" && msg.trace && this.h.onTrace) this.h.onTrace(msg.trace);
    if (this.h.onClass) this.h.onClass(msg);
  }

  _onWhole(msg) {
    if (CLASS_TYPES.has(msg.type) && typeof msg.seq === "number") {
      this._classMessage(msg);
      return;
    }
    switch (msg.type) {
      case "hello":
        if (msg.student && msg.student.token) this.student = msg.student.token;
        if (this.h.onHello) this.h.onHello(msg);
        if (this.h.onClass) this.h.onClass(msg);
        break;
      case "class":
        // The whole state at one seq: what came before it is in it.
        this.classSeq = typeof msg.seq === "number" ? msg.seq : this.classSeq;
        this.classResyncing = false;
        if (this.h.onClass) this.h.onClass(msg);
        break;
      case "snapshot":
        this.eventsSeq = typeof msg.seq === "number" ? msg.seq : null;
        this.view = (msg.cluster && msg.cluster.id) || this.view;
        this.eventsResyncing = false;
        if (this.h.onSnapshot) this.h.onSnapshot(msg);
        break;
      case "events": {
        const r = sequenceEvents(this.eventsSeq, msg.events);
        if (r.ignored) break;
        if (r.apply.length) {
          this.eventsSeq = r.lastSeq;
          if (this.h.onEvents) this.h.onEvents(r.apply);
        }
        if (r.gap && !this.eventsResyncing) {
          this.eventsResyncing = true;
          this.send({ type: "resume", since: this.eventsSeq });
        } else if (!r.gap) this.eventsResyncing = false;
        break;
      }
      case "trace":
        // A spotlighted student's sandbox: its requests, not numbered by the class.
        if (msg.trace && this.h.onTrace) this.h.onTrace(msg.trace);
        break;
      case "error":
        // Worded by the class page in the reader's language (from msg.code).
        if (this.h.onClass) this.h.onClass(msg);
        break;
      default:
        if (this.h.onClass) this.h.onClass(msg);
    }
  }
}
