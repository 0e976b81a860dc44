// The Predict panel (DOM): with "Predict" on, playback stops before each hop that decides where
// the packet goes; the question takes the side panel (the canvas and the trace log stay in view),
// the learner picks an address (radio group: arrows, Enter/Space, keys 1-4, or a click), the hop
// plays and the answer is revealed with the rule that decided it, then playback continues.
// Questions, choices and words come from quiz.js (pure). The hops not reached yet stay out of the
// trace log and off the canvas's route line until they have been asked.
//
// For lessons and the classroom (the handle start() returns has it as `quiz`):
//   quiz.start(traceOrId)   ask the questions of that request from its first hop (turns Predict on)
//   quiz.onAnswer(cb)       cb({traceId, hop, kind, correct, choice, answer, complete: false, right, total, score})
//   quiz.onDone(cb)         cb({traceId, complete: true, right, total, score}) when a request's questions are done
// right/total count this request's questions; score is {right, total} since the page opened. The same
// details go out as "servicescope:quiz" events on #app (what lesson.js listens to), and a page may
// dispatch "servicescope:quiz-start" {traceId} on #app instead of calling quiz.start.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import {
  addToScore,
  answerQuestion,
  buildQuiz,
  choiceLabel,
  createRound,
  gateTime,
  holdTime,
  hopSentence,
  liveQuestion,
  nextQuestion,
  questionText,
  revealText,
  roundScore,
  skipThrough,
  valueText,
} from "./quiz.js";

function typing(target) {
  return Boolean(target && target.closest && target.closest('input, textarea, select, [contenteditable="true"]'));
}

function visible(node) {
  return Boolean(node && node.isConnected && node.getClientRects && node.getClientRects().length);
}

export class QuizPanel {
  /**
   * els: {toggle, panel, side, live, log (the trace log's <ol>), logSection}
   * deps: {root, player, getModel(), getTrace(id), seek(trace, hop), setPaused(bool), wake(), announce(text), stats}
   */
  constructor(els, deps) {
    this.els = els;
    this.deps = deps;
    this.enabled = false;
    this.round = null; // {anim, trace, quiz, state, k}
    this.phase = "idle"; // idle | run | ask | hold | revealed | done
    this.score = { right: 0, total: 0 };
    this.listeners = { answer: new Set(), done: new Set(), active: new Set() };
    this.returnFocus = null;
    this.maskedUpTo = Infinity;
    this._build();
    if (els.toggle) els.toggle.addEventListener("click", () => this.setEnabled(!this.enabled));
    // Keys 1-4 answer wherever the focus is (except in a text field); before the page's own
    // shortcuts, which use the digits for the tabs.
    window.addEventListener("keydown", (ev) => this._digit(ev), true);
    if (els.log && typeof MutationObserver !== "undefined") {
      new MutationObserver(() => this._applyMask()).observe(els.log, { childList: true });
    }
    if (deps.root) {
      deps.root.addEventListener("servicescope:quiz-start", (ev) => {
        const d = ev.detail || {};
        this.start(d.trace || d.traceId);
      });
    }
    this._publish();
  }

  // --- API --------------------------------------------------------------------------------------

  /** cb({traceId, hop, kind, correct, choice, answer, complete: false, right, total, score}); returns an unsubscribe function. */
  onAnswer(cb) {
    this.listeners.answer.add(cb);
    return () => this.listeners.answer.delete(cb);
  }

  /** cb({traceId, complete: true, right, total, score}) when a request's questions are all answered. */
  onDone(cb) {
    this.listeners.done.add(cb);
    return () => this.listeners.done.delete(cb);
  }

  /** cb(active): true while a question or its reveal is open (the book view hides its answers). */
  onActive(cb) {
    this.listeners.active.add(cb);
    return () => this.listeners.active.delete(cb);
  }

  get active() {
    return this.phase === "run" || this.phase === "ask" || this.phase === "hold" || this.phase === "revealed";
  }

  setEnabled(on) {
    on = Boolean(on);
    if (on === this.enabled) return;
    this.enabled = on;
    if (this.els.toggle) this.els.toggle.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) {
      this._say(t("quiz.on"));
      const cur = this.deps.player.cursor();
      if (cur) this.start(cur.anim.trace);
    } else {
      const wasHolding = this.phase === "ask" || this.phase === "revealed";
      this._reset();
      this._close({ restoreFocus: true });
      if (wasHolding) this._play();
      this._say(t("quiz.off"));
    }
    this._publish();
  }

  /** Ask the questions of `trace` (a trace or its id) from its first hop; turns Predict on. */
  start(traceOrId) {
    const trace = traceOrId && typeof traceOrId === "object" ? traceOrId : this.deps.getTrace(traceOrId);
    if (!trace) return false;
    if (!this.enabled) {
      this.enabled = true;
      if (this.els.toggle) this.els.toggle.setAttribute("aria-pressed", "true");
    }
    this._reset();
    const player = this.deps.player;
    const go = () => {
      this.deps.seek(trace, 0);
      this._play();
    };
    // A request that has just arrived is put on the timeline a moment later (main.js batches them):
    // it starts from its first hop by itself, and seeking now would give it a second packet.
    if (player.anims.some((a) => a.id === trace.id)) go();
    else setTimeout(() => (player.anims.some((a) => a.id === trace.id) ? this._play() : go()), 80);
    return true;
  }

  /** The focused packet's route, cut where the learner has not been asked yet. */
  path(anim, points) {
    if (!this.round || this.round.anim.id !== anim.id || this.maskedUpTo === Infinity) return points;
    let n = 0;
    anim.stops.forEach((s, i) => {
      if (s.hop <= this.maskedUpTo) n = i + 1;
    });
    return points.slice(0, Math.max(1, n));
  }

  // --- Playback gate (called every frame, before drawing) --------------------------------------------

  gate() {
    if (!this.enabled) return;
    const player = this.deps.player;
    const cur = player.cursor();
    if (!cur) return;
    const anim = cur.anim;
    if (!this.round || this.round.anim !== anim) this._startRound(anim, cur);
    const R = this.round;
    if (!R) return;
    const lt = player.clock - anim.start;
    const q = R.k >= 0 ? R.quiz.questions[R.k] : null;
    switch (this.phase) {
      case "run": {
        const k = nextQuestion(R.state);
        if (k < 0) {
          this._finish();
          break;
        }
        if (cur.started && lt >= gateTime(anim, R.quiz.questions[k].hop)) this._ask(k);
        break;
      }
      case "ask":
        // The packet waits before the asked hop: playing or stepping past it is undone.
        if (!player.paused || lt >= gateTime(anim, q.hop)) {
          player.seekHop(anim, q.hop - 1);
          this.deps.setPaused(true);
          this._say(t("quiz.answerFirst", { n: q.choices.length }), true);
        }
        break;
      case "hold": {
        const h = holdTime(anim, q.hop);
        if (h === null || lt >= h) {
          player.seekHop(anim, q.hop);
          this.deps.setPaused(true);
          this.phase = "revealed";
          this._publish();
        }
        break;
      }
      case "revealed":
        if (!player.paused) this._continue();
        break;
      default:
    }
    this._updateMask();
  }

  // --- Rounds -------------------------------------------------------------------------------------

  _startRound(anim, cur) {
    const quiz = buildQuiz(anim.trace, this.deps.getModel());
    const state = createRound(quiz);
    if (cur.started && cur.hop > 0) skipThrough(state, cur.hop);
    this.round = { anim, trace: anim.trace, quiz, state, k: -1 };
    if (nextQuestion(state) < 0) {
      this.phase = "done";
      if (!quiz.questions.length) this._say(t("quiz.doneNone"), true);
      this._emitActive(false);
    } else {
      this.phase = "run";
      this._emitActive(true);
    }
    this._publish();
  }

  _reset() {
    this.round = null;
    this.phase = "idle";
    this.maskedUpTo = Infinity;
    this._applyMask();
    this._emitActive(false);
  }

  _ask(k) {
    const R = this.round;
    const q = R.quiz.questions[k];
    R.k = k;
    this.deps.player.seekHop(R.anim, q.hop - 1);
    this.deps.setPaused(true);
    this.phase = "ask";
    this._open();
    this._renderQuestion(q);
    this._say(liveQuestion(q));
    this._focusChoice(this._checked >= 0 ? this._checked : 0, { onlyIfFree: true });
    this.deps.wake();
    this._publish();
  }

  _answer(choice) {
    if (this.phase !== "ask") return;
    const R = this.round;
    const q = R.quiz.questions[R.k];
    const res = answerQuestion(R.state, R.k, choice);
    if (!res) return;
    this.score = addToScore(this.score, res.correct);
    const r = revealText(q, choice);
    this._renderReveal(q, choice, r);
    this._say([r.verdict, r.why, r.hint, t("quiz.score", this.score)].filter(Boolean).join(" "));
    this.phase = "hold";
    this._play();
    this.ui.continue.focus();
    const so = roundScore(R.state);
    const detail = { traceId: R.trace.id, hop: res.hop, kind: res.kind, correct: res.correct, choice: res.choice, answer: res.answer, complete: false, right: so.right, total: so.total, score: { ...this.score } };
    for (const cb of this.listeners.answer) cb(detail);
    this._dispatch("servicescope:quiz", detail);
    this._publish();
  }

  _continue() {
    if (this.phase !== "hold" && this.phase !== "revealed") return;
    this.phase = "run";
    this.ui.continue.hidden = true;
    const R = this.round;
    if (nextQuestion(R.state) < 0) this._finish();
    else this.ui.title.focus({ preventScroll: true });
    this._play();
    this._publish();
  }

  _finish() {
    const R = this.round;
    if (!R || this.phase === "done") return;
    this.phase = "done";
    const s = roundScore(R.state);
    this.maskedUpTo = Infinity;
    this._applyMask();
    this._emitActive(false);
    if (this.panelOpen) {
      const text = t("quiz.done", { right: s.right, total: s.total });
      this.ui.summaryText.textContent = text;
      this.ui.summary.hidden = false;
      this.ui.score.textContent = t("quiz.score", this.score);
      this._say(`${text} ${t("quiz.score", this.score)}`);
      this.ui.close.focus({ preventScroll: true });
      if (this.ui.summary.scrollIntoView) this.ui.summary.scrollIntoView({ block: "nearest" });
    }
    if (s.answered) {
      const detail = { traceId: R.trace.id, complete: true, right: s.right, total: s.total, score: { ...this.score } };
      for (const cb of this.listeners.done) cb(detail);
      this._dispatch("servicescope:quiz", detail);
    }
    this._publish();
  }

  _play() {
    const player = this.deps.player;
    if (player.paused) {
      player.paused = false;
      this.deps.setPaused(false);
    }
    this.deps.wake();
  }

  // --- DOM ----------------------------------------------------------------------------------------

  _build() {
    const panel = this.els.panel;
    if (!panel) return;
    const ui = {};
    ui.title = el("h2", { id: "quiz-title", class: "quiz-title", tabindex: "-1" }, t("quiz.title"));
    ui.score = el("span", { class: "quiz-score", id: "quiz-score" }, t("quiz.score", this.score));
    ui.stop = el("button", { type: "button", class: "btn btn-small quiz-stop", onclick: () => this.setEnabled(false) }, t("quiz.stop"));
    ui.progress = el("p", { class: "quiz-progress", id: "quiz-progress" });
    ui.prompt = el("p", { class: "quiz-prompt", id: "quiz-prompt" });
    ui.help = el("p", { class: "quiz-help", id: "quiz-help" });
    ui.choices = el("div", { class: "quiz-choices", role: "radiogroup", id: "quiz-choices", "aria-labelledby": "quiz-progress quiz-prompt", "aria-describedby": "quiz-help" });
    ui.choices.addEventListener("keydown", (ev) => this._groupKey(ev));
    ui.verdict = el("p", { class: "quiz-verdict", id: "quiz-verdict" });
    ui.why = el("p", { class: "quiz-why" });
    ui.hint = el("p", { class: "quiz-hint" });
    ui.ruleName = el("code", {});
    ui.ruleText = el("pre", { class: "quiz-rule-text" });
    ui.hopTitle = el("span", { class: "quiz-hoptext-title" });
    ui.hopText = el("p", { class: "quiz-hoptext" });
    ui.chain = el("p", { class: "quiz-chain" });
    ui.ruleSummary = el("summary", {});
    ui.rule = el("details", { class: "quiz-rule" }, ui.ruleSummary, ui.chain, ui.ruleText, ui.hopText);
    ui.continue = el("button", { type: "button", class: "btn btn-primary quiz-continue", onclick: () => this._continue() }, t("quiz.continue"), el("span", { "aria-hidden": "true", text: " ▶" }));
    ui.reveal = el("div", { class: "quiz-reveal", hidden: true }, ui.verdict, ui.why, ui.hint, ui.rule, ui.continue);
    ui.summaryText = el("p", { class: "quiz-summary-text" });
    ui.again = el("button", { type: "button", class: "btn", onclick: () => this.round && this.start(this.round.trace) }, t("quiz.again"));
    ui.close = el("button", { type: "button", class: "btn btn-primary", onclick: () => this._close({ restoreFocus: true }) }, t("quiz.close"));
    ui.summary = el("div", { class: "quiz-summary", hidden: true }, ui.summaryText, el("div", { class: "quiz-summary-actions" }, ui.again, ui.close));
    panel.replaceChildren(
      el("div", { class: "quiz-head" }, ui.title, ui.score),
      ui.progress,
      ui.prompt,
      ui.choices,
      ui.help,
      ui.reveal,
      ui.summary,
      el("div", { class: "quiz-foot" }, ui.stop),
    );
    this.ui = ui;
    this._checked = -1;
  }

  _open() {
    const { panel, side } = this.els;
    if (!panel) return;
    if (!this.panelOpen) {
      const active = document.activeElement;
      this.returnFocus = active && active !== document.body && !panel.contains(active) ? active : null;
    }
    this.panelOpen = true;
    panel.hidden = false;
    if (side) side.classList.add("quiz-open");
  }

  _close({ restoreFocus = false } = {}) {
    const { panel, side } = this.els;
    const wasOpen = this.panelOpen;
    this.panelOpen = false;
    if (panel) panel.hidden = true;
    if (side) side.classList.remove("quiz-open");
    if (this.ui) {
      this.ui.summary.hidden = true;
      this.ui.reveal.hidden = true;
    }
    if (restoreFocus && wasOpen) {
      const back = visible(this.returnFocus) ? this.returnFocus : this.els.toggle;
      if (back) back.focus();
    }
    this.returnFocus = restoreFocus ? null : this.returnFocus;
    this._publish();
  }

  _renderQuestion(q) {
    const ui = this.ui;
    if (!ui) return;
    const { progress, prompt } = questionText(q);
    ui.progress.textContent = progress;
    ui.prompt.textContent = prompt;
    ui.help.textContent = t("quiz.help", { n: q.choices.length });
    ui.help.hidden = false;
    ui.reveal.hidden = true;
    ui.summary.hidden = true;
    ui.continue.hidden = false;
    ui.score.textContent = t("quiz.score", this.score);
    this._checked = -1;
    ui.choices.classList.remove("answered");
    ui.choices.removeAttribute("aria-disabled");
    const buttons = q.choices.map((c, k) =>
      el(
        "button",
        {
          type: "button",
          role: "radio",
          class: `quiz-choice role-${c.role}`,
          "aria-checked": "false",
          tabindex: k === 0 ? "0" : "-1",
          dataset: { index: String(k), value: c.value },
          onclick: () => this._answer(k),
        },
        el("span", { class: "quiz-key", "aria-hidden": "true", text: String(k + 1) }),
        el("span", { class: "quiz-choice-text" }, el("span", { class: "quiz-addr", text: valueText(c) }), el("span", { class: "quiz-role", text: choiceLabel(c) })),
        el("span", { class: "quiz-mark", "aria-hidden": "true" }),
      ),
    );
    ui.choices.replaceChildren(...buttons);
    this.buttons = buttons;
  }

  _renderReveal(q, picked, r) {
    const ui = this.ui;
    ui.choices.classList.add("answered");
    ui.choices.setAttribute("aria-disabled", "true");
    this.buttons.forEach((b, k) => {
      const right = k === q.answer;
      const mine = k === picked;
      b.classList.toggle("is-answer", right);
      b.classList.toggle("is-picked", mine);
      b.setAttribute("aria-checked", mine ? "true" : "false");
      b.setAttribute("tabindex", "-1");
      b.querySelector(".quiz-mark").textContent = right ? "✓" : mine ? "✗" : "";
    });
    ui.help.hidden = true;
    ui.verdict.textContent = r.verdict;
    ui.verdict.classList.toggle("right", r.correct);
    ui.verdict.classList.toggle("wrong", !r.correct);
    ui.why.textContent = r.why;
    ui.hint.textContent = r.hint;
    ui.hint.hidden = !r.hint;
    // The rule that decided it (kube-proxy's chain or IPVS); a load balancer's hop has none: its sentence.
    ui.ruleName.textContent = q.rule;
    if (q.rule) ui.ruleSummary.replaceChildren(t("quiz.rule"), ": ", ui.ruleName);
    else ui.ruleSummary.replaceChildren(t("quiz.hopText", { n: q.hop + 1 }));
    ui.chain.textContent = q.chain.length > 1 ? q.chain.join(" → ") : "";
    ui.chain.hidden = q.chain.length < 2;
    ui.ruleText.textContent = q.ruleText;
    ui.ruleText.hidden = !q.ruleText;
    ui.hopText.replaceChildren(q.rule ? el("span", { class: "quiz-hoptext-title" }, `${t("quiz.hopText", { n: q.hop + 1 })}: `) : "", hopSentence(q));
    ui.hopText.hidden = !q.text;
    ui.rule.open = false;
    ui.continue.hidden = false;
    ui.reveal.hidden = false;
    ui.score.textContent = t("quiz.score", this.score);
  }

  _focusChoice(k, { onlyIfFree = false } = {}) {
    const buttons = this.buttons || [];
    if (!buttons.length) return;
    const i = ((k % buttons.length) + buttons.length) % buttons.length;
    buttons.forEach((b, j) => b.setAttribute("tabindex", j === i ? "0" : "-1"));
    // A question that pops up while the learner types elsewhere does not take the focus away.
    if (onlyIfFree && typing(document.activeElement)) return;
    buttons[i].focus({ preventScroll: false });
  }

  _check(k) {
    const buttons = this.buttons || [];
    if (!buttons.length) return;
    const i = ((k % buttons.length) + buttons.length) % buttons.length;
    this._checked = i;
    buttons.forEach((b, j) => b.setAttribute("aria-checked", j === i ? "true" : "false"));
    this._focusChoice(i);
  }

  _groupKey(ev) {
    if (this.phase !== "ask") return;
    const buttons = this.buttons || [];
    const at = buttons.indexOf(document.activeElement);
    switch (ev.key) {
      case "ArrowDown":
      case "ArrowRight":
        this._check(at + 1);
        break;
      case "ArrowUp":
      case "ArrowLeft":
        this._check(at - 1);
        break;
      case "Home":
        this._check(0);
        break;
      case "End":
        this._check(buttons.length - 1);
        break;
      case "Enter":
      case " ":
        if (at >= 0) this._answer(at);
        break;
      default:
        return;
    }
    ev.preventDefault();
  }

  _digit(ev) {
    if (this.phase !== "ask" || ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || typing(ev.target)) return;
    if (!/^[1-9]$/.test(ev.key)) return;
    const k = Number(ev.key) - 1;
    if (!this.buttons || k >= this.buttons.length) return;
    ev.preventDefault();
    this._answer(k);
  }

  // --- Trace log mask -----------------------------------------------------------------------------

  _updateMask() {
    let upTo = Infinity;
    const R = this.round;
    if (R && this.active) {
      const k = nextQuestion(R.state);
      if (k >= 0) upTo = R.quiz.questions[k].hop - 1;
    }
    if (upTo !== this.maskedUpTo) {
      this.maskedUpTo = upTo;
      this._applyMask();
    }
  }

  _applyMask() {
    const { log, logSection } = this.els;
    const upTo = this.maskedUpTo;
    const mine = this.round && this.deps.currentLogTrace && this.deps.currentLogTrace() === this.round.trace;
    const masking = upTo !== Infinity && mine;
    if (logSection) logSection.classList.toggle("quiz-masking", Boolean(masking));
    if (!log) return;
    for (const li of log.children) {
      const hide = Boolean(masking) && Number(li.dataset.hop) > upTo;
      if (li.hidden !== hide) li.hidden = hide;
    }
  }

  // --- Announcements, events, test figures --------------------------------------------------------------

  _say(text, toast = false) {
    const live = this.els.live;
    if (live) {
      live.textContent = "";
      // A fresh text a moment later, so the same words are read again.
      setTimeout(() => {
        live.textContent = text;
      }, 30);
    }
    if (toast && this.deps.announce) this.deps.announce(text);
  }

  _emitActive(on) {
    if (this._activeState === on) return;
    this._activeState = on;
    for (const cb of this.listeners.active) cb(on);
  }

  _dispatch(name, detail) {
    const root = this.deps.root;
    if (root && typeof CustomEvent !== "undefined") root.dispatchEvent(new CustomEvent(name, { detail }));
  }

  _publish() {
    const stats = this.deps.stats;
    if (!stats) return;
    const R = this.round;
    const q = R && R.k >= 0 ? R.quiz.questions[R.k] : null;
    stats.quiz = {
      enabled: this.enabled,
      phase: this.phase,
      traceId: R ? R.trace.id : null,
      questions: R ? R.quiz.questions.map((x) => x.hop) : [],
      hop: q ? q.hop : null,
      right: this.score.right,
      total: this.score.total,
      open: Boolean(this.panelOpen),
      masked: this.maskedUpTo === Infinity ? null : this.maskedUpTo,
    };
  }
}
