// A student's page (templates/visualizer/class_student.html).
//
// Following (data-class-mode="follow"): the page is the read-only sandbox page, fed by the class
// socket; the teacher's request, hop, pause, speed and selection drive it, and the playback
// buttons are the teacher's. Exploring ("explore"): the page is the owner's page of the student's
// own copy, and the class socket carries only the class's messages. Questions appear on the stage
// in both. When the teacher releases control or calls everyone back, the page reloads into the
// other mode (the server knows which).

import { readConfig, start } from "./main.js";
import { ClassSocket } from "./class_socket.js";
import { QuestionCard } from "./class_question.js";
import { t } from "./i18n.js";
import { socketUrl } from "./socket.js";

const root = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const mode = root.dataset.classMode === "explore" ? "explore" : "follow";
const following = mode === "follow";
const classUrl = socketUrl(root.dataset.classWs, window.location);

const stats = { mode, classSeq: null, cursor: null, question: null, answered: null, reveal: null, ended: false, spotlight: null, messages: 0 };
window.__servicescopeClass = stats;

let socket = null;
let handle = null;
const traces = new Map(); // id -> trace, as the class stream brought them
const addedAt = new Map(); // id -> when the page was given it (its animation starts a moment later)
let ended = false;

// --- the class bar ----------------------------------------------------------------------------------

const modeEl = $("class-mode");
function setMode(text) {
  if (modeEl) modeEl.textContent = text;
}
const connEl = $("class-conn");
function setConn(st) {
  if (!connEl) return;
  connEl.dataset.state = st.state;
  connEl.textContent = st.state === "open" ? "" : st.state === "denied" ? t("class.conn.denied") : t("class.conn.reconnecting");
}

function reload() {
  // The server renders the page for the class's mode now (and makes the student's copy).
  if (!reload.pending) {
    reload.pending = true;
    setTimeout(() => window.location.reload(), 150);
  }
}

// --- the question card ---------------------------------------------------------------------------------

const card = new QuestionCard($("class-question"), {
  teacher: false,
  onAnswer: (k) => {
    if (!card.q || ended) return;
    if (socket.send({ type: "answer", question: card.q.id, choice: k })) card.setPicked(k, t("class.q.sending"));
    else card.setNote(t("class.q.offline"));
  },
});
let myAnswers = {};

function showQuestion(q) {
  stats.question = q ? { id: q.id, hop: q.hop, choices: q.choices.length, revealed: Boolean(q.revealed) } : null;
  if (!q) {
    card.hide();
    return;
  }
  const mine = myAnswers[String(q.id)];
  card.show(q, { picked: typeof mine === "number" ? mine : null });
  if (q.revealed) stats.reveal = { question: q.id, answer: q.answer };
}

// --- following the teacher's cursor ----------------------------------------------------------------------

let want = null; // {trace, hop, paused} the teacher's cursor, applied once the picture is ready
let applyTimer = null;

function apply() {
  clearTimeout(applyTimer);
  applyTimer = null;
  if (!following || !handle || !want) return;
  const trace = traces.get(String(want.trace));
  if (!trace || !handle.scene) {
    applyTimer = setTimeout(apply, 100);
    return;
  }
  // A trace just given to the page starts its animation ~30 ms later: seek after that.
  const age = performance.now() - (addedAt.get(String(want.trace)) || 0);
  if (age < 120) {
    applyTimer = setTimeout(apply, 120 - age);
    return;
  }
  if (want.paused) handle.seekHop(trace, want.hop, { showTab: false });
  else handle.setPaused(false);
  stats.cursor = { trace: want.trace, hop: want.hop, paused: want.paused };
}

function follow(msg) {
  switch (msg.type) {
    case "class":
      if (msg.trace) rememberTrace(msg.trace, true);
      if (typeof msg.speed === "number") handle.setSpeed(msg.speed);
      if (msg.trace) {
        want = { trace: msg.trace.id, hop: msg.hop || 0, paused: Boolean(msg.paused) };
        // Joining mid-request: show where the class is (paused), not the whole request again.
        if (!msg.paused) want.paused = true;
        apply();
      }
      if (msg.selection) selectLater(msg.selection);
      break;
    case "trace":
      want = { trace: msg.trace.id, hop: 0, paused: false };
      stats.cursor = { trace: msg.trace.id, hop: 0, paused: false };
      break;
    case "step":
      want = { trace: msg.trace, hop: msg.hop, paused: true };
      apply();
      break;
    case "playback":
      if (typeof msg.speed === "number") handle.setSpeed(msg.speed);
      if (msg.replay) {
        handle.replay();
        if (want) want = { ...want, hop: 0, paused: false };
      } else if (msg.paused === false) {
        if (want) want = { ...want, paused: false };
        handle.setPaused(false);
      } else if (msg.paused === true) {
        handle.setPaused(true);
        if (want) want = { ...want, paused: true };
      }
      stats.cursor = want ? { ...want } : stats.cursor;
      break;
    case "select":
      selectLater(msg.selection);
      break;
    default:
  }
}

function selectLater(ref, tries = 0) {
  if (!handle.view && tries < 50) {
    setTimeout(() => selectLater(ref, tries + 1), 100);
    return;
  }
  handle.select(ref ? { kind: ref.kind, key: ref.key } : null, { showTab: Boolean(ref) });
  stats.selection = ref;
}

function rememberTrace(trace, fromState = false) {
  if (!trace || trace.id === undefined) return;
  const key = String(trace.id);
  if (!traces.has(key)) {
    traces.set(key, trace);
    addedAt.set(key, performance.now());
    if (fromState && handle) handle.addTrace(trace);
  }
  while (traces.size > 60) {
    const first = traces.keys().next().value;
    traces.delete(first);
    addedAt.delete(first);
  }
}

// --- every class message -------------------------------------------------------------------------------

function spotlightText(spot) {
  return spot ? t("class.mode.spotlight", { name: spot.name }) : t("class.mode.follow");
}

function onClass(msg) {
  stats.messages += 1;
  if (typeof msg.seq === "number") stats.classSeq = msg.seq;
  switch (msg.type) {
    case "hello":
      if (msg.student) {
        const name = $("class-name");
        if (name) name.textContent = msg.student.name;
      }
      return;
    case "class":
      myAnswers = msg.answers || {};
      ended = Boolean(msg.ended);
      stats.ended = ended;
      stats.spotlight = msg.spotlight || null;
      if (!ended && following !== Boolean(msg.follow)) {
        reload();
        return;
      }
      if (ended) endClass();
      else if (following) setMode(spotlightText(msg.spotlight));
      // An open question is shown; one already revealed is history.
      showQuestion(msg.question && !msg.question.revealed ? msg.question : null);
      if (following) follow(msg);
      return;
    case "follow":
      if (!ended && following !== Boolean(msg.follow)) reload();
      return;
    case "spotlight":
      stats.spotlight = msg.spotlight || null;
      if (!following) {
        reload();
        return;
      }
      setMode(spotlightText(msg.spotlight));
      return;
    case "end":
      endClass();
      return;
    case "question":
      showQuestion(msg.question);
      return;
    case "answered":
      myAnswers[String(msg.question)] = msg.choice;
      stats.answered = { question: msg.question, choice: msg.choice };
      if (card.q && card.q.id === msg.question) card.setPicked(msg.choice, t("class.q.sent"));
      return;
    case "reveal":
      stats.reveal = { question: msg.question, answer: msg.answer };
      if (card.q && card.q.id === msg.question) card.reveal(msg.answer, msg.counts, msg.explain);
      return;
    case "error":
      onRefusal(msg);
      return;
    default:
      if (following) follow(msg);
  }
}

function onRefusal(msg) {
  const key = {
    not_found: "class.error.notFound", full: "class.error.full", ended: "class.error.ended", student: "class.error.student",
    answered: "class.error.answered", closed: "class.error.closed", revealed: "class.error.closed",
  }[msg.code];
  const text = key ? t(key) : msg.message || "";
  if (["answered", "closed", "revealed", "choice"].includes(msg.code)) {
    if (card.q) card.setNote(text);
    return;
  }
  setMode(text);
}

function endClass() {
  ended = true;
  stats.ended = true;
  setMode(t("class.mode.ended"));
  root.classList.remove("class-following");
  const link = $("class-copy-link");
  if (link) link.hidden = false;
  card.opts.locked = true;
  if (card.q) card.render();
}

// --- start -------------------------------------------------------------------------------------------

if (following) {
  root.classList.add("class-following");
  handle = start({
    ...readConfig(root),
    role: "viewer",
    transport: (handlers) => {
      socket = new ClassSocket(classUrl, {
        ...handlers,
        onStatus: (st) => {
          handlers.onStatus(st);
          setConn(st);
        },
        onTrace: (trace) => {
          rememberTrace(trace);
          handlers.onTrace(trace);
        },
        onSnapshot: (msg) => {
          handlers.onSnapshot(msg);
          // A spotlight shows another sandbox: its name in the header.
          const name = $("cluster-name");
          if (name && msg.cluster && msg.cluster.name) name.textContent = msg.cluster.name;
          stats.view = msg.cluster ? msg.cluster.id : null;
          if (want) apply();
        },
        onClass,
      });
      return socket;
    },
  });
  // The playback buttons and keys are the teacher's while the class follows.
  const keys = new Set(["k", "K", " ", ".", "l", "L", ",", "j", "J", "r", "R", "+", "=", "-", "_"]);
  window.addEventListener("keydown", (ev) => {
    if (!root.classList.contains("class-following") || !keys.has(ev.key)) return;
    if (ev.target && ev.target.closest && ev.target.closest("input, textarea, select, button, [contenteditable]")) return;
    ev.stopPropagation();
  }, true);
  const toolbar = root.querySelector(".toolbar");
  if (toolbar) {
    toolbar.addEventListener("click", (ev) => {
      if (!root.classList.contains("class-following")) return;
      if (ev.target.closest("#ctl-back, #ctl-play, #ctl-forward, #ctl-replay")) {
        ev.stopPropagation();
        ev.preventDefault();
      }
    }, true);
    toolbar.addEventListener("input", (ev) => {
      if (root.classList.contains("class-following") && ev.target.id === "ctl-speed") ev.stopPropagation();
    }, true);
  }
} else {
  handle = start(readConfig(root));
  socket = new ClassSocket(classUrl, { onStatus: setConn, onClass }, { sandbox: false });
  socket.start();
}
window.addEventListener("online", () => socket && socket.retryNow());
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && socket) socket.retryNow();
});
