// The teacher's page (templates/visualizer/class_teacher.html): the owner's page of the class
// sandbox, plus the class. What the teacher does on the page — pause, step, back, replay, speed, a
// hop picked in the trace log, an object selected — is posted to the class API, which sends it to
// every student's screen. The Class tab holds the roster, follow / release / call back, the
// question and its live answers, spotlight and end; the join code is in the bar above.

import { readConfig, start } from "./main.js";
import { ClassSocket } from "./class_socket.js";
import { QuestionCard } from "./class_question.js";
import { buildQuiz, questionText } from "./quiz.js";
import { postJSON } from "./forms.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { socketUrl } from "./socket.js";

const root = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const api = root.dataset.classApi; // /api/classes/<code>/

const stats = { posted: [], roster: 0, connected: 0, follow: true, question: null, counts: null, errors: [] };
window.__servicescopeClass = stats;

const handle = start(readConfig(root));

// --- posting the teacher's moves, one after another -----------------------------------------------------

let queue = Promise.resolve();
function post(path, body = {}) {
  const run = async () => {
    const res = await postJSON(`${api}${path}`, body);
    stats.posted.push({ path, body, status: res.status });
    if (stats.posted.length > 200) stats.posted.shift();
    if (!res.ok) {
      stats.errors.push(res.data.detail || String(res.status));
      announce(res.data.detail || t("forms.networkError"));
    }
    return res;
  };
  queue = queue.then(run, run);
  return queue;
}

const statusEl = $("status-message");
function announce(text) {
  if (!statusEl) return;
  statusEl.textContent = "";
  setTimeout(() => {
    statusEl.textContent = text;
    statusEl.classList.add("visible");
    setTimeout(() => statusEl.classList.remove("visible"), 6000);
  }, 30);
}

let state = { follow: true, ended: false, spotlight: null, trace: null, hop: 0 };

function on(name, fn) {
  root.addEventListener(`servicescope:${name}`, (ev) => {
    if (!state.ended) fn(ev.detail);
  });
}

function postStep(trace, hop) {
  if (!trace || trace.id === undefined || trace.id === null) return;
  state.trace = trace.id;
  state.hop = hop;
  post("step/", { trace: trace.id, hop });
}

on("step", (d) => postStep(d.trace, d.hop));
on("hop", (d) => postStep(d.trace, d.hop));
on("playback", (d) => {
  if (d.replay) post("playback/", { replay: true });
  else if (typeof d.speed === "number") post("playback/", { speed: d.speed });
  else if (d.paused === true) {
    // Pausing: everyone pauses at the hop the teacher's screen shows.
    const cur = handle.player.cursor();
    if (cur && cur.started) postStep(cur.anim.trace, cur.hop);
    else post("playback/", { paused: true });
  } else if (d.paused === false) post("playback/", { paused: false });
});
let lastSelection = "";
on("select", (ref) => {
  const key = ref ? `${ref.kind}:${ref.key}` : "";
  if (key === lastSelection) return;
  lastSelection = key;
  post("selection/", { selection: ref ? { kind: ref.kind, key: ref.key } : null });
});
on("trace", (trace) => {
  state.trace = trace.id;
  state.hop = 0;
});

// --- the roster ---------------------------------------------------------------------------------------

const students = new Map(); // id -> entry (the newest version)
const rosterEl = $("class-roster");

function connectedCount() {
  let n = 0;
  for (const s of students.values()) if (s.connected) n += 1;
  return n;
}

function upsert(entry) {
  const old = students.get(entry.id);
  if (old && (old.version || 0) > (entry.version || 0)) return;
  students.set(entry.id, { ...old, ...entry, progress: entry.progress || (old && old.progress) });
}

let rosterTimer = null;
function renderRosterSoon() {
  if (!rosterTimer) rosterTimer = setTimeout(renderRoster, 150);
}

function renderRoster() {
  clearTimeout(rosterTimer);
  rosterTimer = null;
  const list = [...students.values()].sort((a, b) => a.id - b.id);
  const connected = connectedCount();
  stats.roster = list.length;
  stats.connected = connected;
  const count = t("class.count", { n: connected, total: list.length });
  $("class-count").textContent = count;
  $("class-roster-count").textContent = `(${count})`;
  $("class-roster-empty").hidden = list.length > 0;
  const q = card.q;
  rosterEl.replaceChildren(...list.map((s) => {
    const answered = q ? s.answers && s.answers[String(q.id)] : undefined;
    const answerText = q ? (typeof answered === "number" ? t("class.roster.answered") : t("class.roster.waiting")) : "";
    const progress = s.progress ? (s.progress.steps ? t("class.roster.progress", { done: s.progress.done, steps: s.progress.steps }) : t("class.roster.progressDone", { done: s.progress.done })) : "";
    const right = q && card.answer !== null && card.answer !== undefined && typeof answered === "number" ? answered === card.answer : null;
    const spotlit = state.spotlight && state.spotlight.id === s.id;
    return el("li", { class: `class-student${s.connected ? " is-on" : ""}`, "data-student": String(s.id) },
      el("span", { class: "class-dot", "aria-hidden": "true", text: s.connected ? "●" : "○" }),
      el("span", { class: "class-student-name", text: s.name }),
      el("span", { class: "visually-hidden", text: s.connected ? t("class.roster.connected") : t("class.roster.away") }),
      answerText ? el("span", { class: `class-answer${right === true ? " is-right" : right === false ? " is-wrong" : ""}`, text: right === null ? answerText : right ? `✓ ${t("class.q.correct")}` : `✗ ${t("class.roster.wrong")}` }) : null,
      progress ? el("span", { class: "class-progress", text: progress }) : null,
      el("button", {
        type: "button", class: "btn btn-small class-spot", disabled: !s.copy || state.ended,
        "aria-pressed": spotlit ? "true" : "false",
        title: s.copy ? "" : t("class.roster.noCopy"),
        onclick: () => post("spotlight/", { student: spotlit ? null : s.id }),
      }, spotlit ? t("class.roster.spotlit") : t("class.roster.spotlight")));
  }));
  if (card.q) card.render();
}

// --- follow, release, call back, end ----------------------------------------------------------------

const followButtons = [$("class-follow"), $("class-follow-2")].filter(Boolean);
function renderMode() {
  stats.follow = state.follow;
  for (const b of followButtons) {
    b.textContent = state.follow ? t("class.release") : t("class.callBack");
    b.dataset.follow = state.follow ? "true" : "false";
    b.disabled = state.ended;
  }
  $("class-mode").textContent = state.ended ? t("class.mode.ended") : state.spotlight ? t("class.mode.teacherSpotlight", { name: state.spotlight.name }) : state.follow ? t("class.mode.teacherFollow") : t("class.mode.released");
  $("class-mode-2").textContent = $("class-mode").textContent;
  $("class-spotlight-off").hidden = !state.spotlight;
  const open = $("class-spotlight-open");
  open.hidden = !(state.spotlight && state.spotlight.watch);
  if (!open.hidden) open.href = state.spotlight.watch;
  for (const id of ["class-ask", "class-ask-2", "class-end"]) $(id).disabled = state.ended;
}
for (const b of followButtons) b.addEventListener("click", () => post("follow/", { follow: !state.follow }));
$("class-spotlight-off").addEventListener("click", () => post("spotlight/", { student: null }));
let endArmed = false;
$("class-end").addEventListener("click", () => {
  const b = $("class-end");
  if (!endArmed) {
    endArmed = true;
    b.textContent = t("class.endConfirm");
    setTimeout(() => {
      endArmed = false;
      if (!state.ended) b.textContent = t("class.end");
    }, 5000);
    return;
  }
  post("end/");
});
const dialog = $("class-code-dialog");
$("class-projector").addEventListener("click", () => dialog && dialog.showModal());

// --- questions ------------------------------------------------------------------------------------------

const card = new QuestionCard($("class-question"), {
  teacher: true,
  connected: connectedCount,
  onReveal: () => reveal(),
  onClose: () => card.hide(),
});
let answers = new Map(); // student id -> choice, for the open question

function countsFromAnswers() {
  if (!card.q) return null;
  const counts = card.q.choices.map(() => 0);
  for (const c of answers.values()) if (c >= 0 && c < counts.length) counts[c] += 1;
  return counts;
}

function showQuestion(q) {
  const summary = $("class-q-summary");
  $("class-q-empty").hidden = Boolean(q);
  $("class-reveal").disabled = !q || Boolean(q.revealed) || state.ended;
  stats.question = q ? { id: q.id, hop: q.hop, revealed: Boolean(q.revealed), answer: q.answer } : null;
  if (!q) {
    card.hide();
    summary.replaceChildren();
    return;
  }
  if (!card.q || card.q.id !== q.id) {
    answers = new Map();
    for (const s of students.values()) {
      const c = s.answers && s.answers[String(q.id)];
      if (typeof c === "number") answers.set(s.id, c);
    }
  }
  card.show({ ...q, counts: q.counts || countsFromAnswers() });
  if (q.revealed) card.reveal(q.answer, q.counts, q.explain);
  summary.replaceChildren(el("p", { class: "hint", text: t("class.q.summary", { n: q.id, hop: q.hop + 2 }) }));
  stats.counts = card.counts;
}

async function ask() {
  const cur = handle.player.cursor();
  const trace = cur ? cur.anim.trace : null;
  if (!trace) {
    announce(t("class.q.needTrace"));
    return;
  }
  const hop = cur.started ? cur.hop : 0;
  const hops = (trace.hops || []).length;
  // quiz.js: the next hop worth asking about after the one on screen, worded from this sandbox.
  let q = null;
  try {
    q = buildQuiz(trace, handle.model).questions.find((x) => x.hop > hop) || null;
  } catch {
    q = null;
  }
  const at = q ? q.hop - 1 : hop;
  if (at >= hops - 1) {
    announce(t("class.q.noNext"));
    return;
  }
  // Everyone stops at the hop before the one to predict.
  handle.seekHop(trace, at, { showTab: false }); // posts the step (servicescope:hop)
  let body = { trace: trace.id, hop: at };
  if (q) {
    body = {
      ...body,
      prompt: questionText(q).prompt,
      choices: q.choices.map((c) => c.value),
      answer: q.answer,
      // What the students' pages word in their language; nothing here gives the answer away.
      detail: { kind: q.kind, hop: q.hop, hops: q.hops, at: q.at, before: q.before, choices: q.choices.map((c) => ({ value: c.value, role: c.role, name: c.name, unchanged: c.unchanged })) },
      // Sent with the reveal.
      explain: { after: q.after, rule: q.rule, chain: q.chain, ruleText: q.ruleText, text: q.text, action: q.action, reason: q.reason, clusterIP: q.clusterIP, chooser: q.chooser, targetPort: q.targetPort, servicePort: q.servicePort, probability: q.probability, answerValue: q.answerValue },
    };
  }
  const res = await post("questions/", body);
  if (res.ok) showQuestion(res.data);
}
for (const id of ["class-ask", "class-ask-2"]) $(id).addEventListener("click", ask);

async function reveal() {
  if (!card.q || card.answer !== null) return;
  const res = await post(`questions/${card.q.id}/reveal/`);
  if (res.ok) card.reveal(res.data.answer, res.data.counts, res.data.explain);
}
$("class-reveal").addEventListener("click", reveal);

// --- the teacher's class socket ------------------------------------------------------------------------------

function onClass(msg) {
  switch (msg.type) {
    case "class":
      state = { ...state, follow: msg.follow, ended: msg.ended, spotlight: msg.spotlight, trace: msg.trace ? msg.trace.id : null, hop: msg.hop };
      renderMode();
      showQuestion(msg.question && !msg.question.revealed ? msg.question : null);
      break;
    case "roster":
      for (const s of msg.students || []) upsert(s);
      renderRosterSoon();
      break;
    case "student":
      upsert(msg.student);
      renderRosterSoon();
      break;
    case "answer": {
      const s = students.get(msg.student);
      if (s) s.answers = { ...(s.answers || {}), [String(msg.question)]: msg.choice };
      if (card.q && card.q.id === msg.question) {
        answers.set(msg.student, msg.choice);
        card.setCounts(countsFromAnswers());
        stats.counts = card.counts;
      }
      renderRosterSoon();
      break;
    }
    case "question":
      if (!card.q || card.q.id !== msg.question.id) showQuestion(msg.question);
      break;
    case "reveal":
      if (card.q && card.q.id === msg.question) card.reveal(msg.answer, msg.counts, msg.explain);
      $("class-reveal").disabled = true;
      if (stats.question) stats.question.revealed = true;
      renderRosterSoon();
      break;
    case "follow":
      state.follow = msg.follow;
      if (!msg.follow) state.spotlight = null;
      renderMode();
      renderRosterSoon();
      break;
    case "spotlight":
      state.spotlight = msg.spotlight;
      state.follow = true;
      renderMode();
      renderRosterSoon();
      break;
    case "end":
      state.ended = true;
      renderMode();
      renderRosterSoon();
      break;
    default:
  }
}

const socket = new ClassSocket(socketUrl(root.dataset.classWs, window.location), { onClass }, { sandbox: false });
socket.start();
window.addEventListener("online", () => socket.retryNow());
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) socket.retryNow();
});

// In a lesson, each student's progress (steps done in their copy) is read now and then.
async function refreshProgress() {
  try {
    const res = await fetch(api, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!res.ok) return;
    const data = await res.json();
    for (const s of data.students || []) {
      const old = students.get(s.id);
      if (old) old.progress = s.progress;
      else upsert(s);
    }
    renderRosterSoon();
  } catch {
    /* the next round will do */
  }
}
if (root.dataset.classLesson) setInterval(refreshProgress, 10000);

// A link to give students, copied from the bar.
const joinUrl = $("class-join-url");
if (joinUrl) joinUrl.title = joinUrl.dataset.url || "";
renderMode();
