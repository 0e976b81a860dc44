// The lesson column of a lesson's sandbox page: steps checked against the sandbox (however the
// learner changed it), a prediction before acting, a hint on demand, "show me", and for a broken
// cluster its failing request and, once looked at, its cause. The server decides what is done;
// this module only shows it, refreshing after every change, request and observation.

import { t } from "./i18n.js";
import { el } from "./dom.js";
import { postJSON } from "./forms.js";

const REFRESH_MS = 250;

/** `kubectl apply -f x.yaml` in backticks becomes <code>; everything stays text (no markup). */
export function richText(text) {
  const parts = String(text || "").split("`");
  return parts.map((part, i) => (i % 2 ? el("code", { text: part }) : document.createTextNode(part)));
}

/** The observations worth sending for what the page saw: a kind opened, a DNAT hop's rule read. */
export function observationFor(name, detail) {
  if (name === "open" && detail && detail.kind) return { what: "open", kind: String(detail.kind) };
  if (name === "hop" && detail && detail.trace) {
    const hop = (detail.trace.hops || [])[detail.hop];
    if (hop && hop.rule_text) return { what: "rule", name: String(hop.action || "") };
  }
  if (name === "view" && detail) return { what: "view", name: String(detail) };
  if (name === "quiz" && detail && detail.complete) {
    return { what: "quiz", complete: true, total: detail.total, right: detail.right, trace: detail.traceId };
  }
  return null;
}

export class LessonPanel {
  constructor(root, { announce } = {}) {
    this.root = root;
    this.urls = { ...root.dataset };
    this.announce = announce || (() => {});
    this.status = null;
    this.timer = null;
    this.sent = new Set();
    this.openHints = new Set();
    this.stepsEl = root.querySelector("#lesson-steps");
    this.progressEl = root.querySelector("#lesson-progress");
    this.scenarioEl = root.querySelector("#lesson-scenario");
    this.doneEl = root.querySelector("#lesson-done");
    this.errorEl = root.querySelector("#lesson-error");
  }

  start(app) {
    for (const name of ["events", "trace"]) app.addEventListener(`servicescope:${name}`, () => this.refreshSoon());
    app.addEventListener("servicescope:message", (ev) => {
      if (ev.detail && ev.detail.type === "lesson") this.refreshSoon();
    });
    for (const name of ["open", "hop", "view", "quiz"]) {
      app.addEventListener(`servicescope:${name}`, (ev) => this.observe(observationFor(name, ev.detail)));
    }
    const sendBtn = this.root.querySelector("#lesson-send");
    if (sendBtn) sendBtn.addEventListener("click", () => this.sendRequest());
    const causeBtn = this.root.querySelector("#lesson-cause-btn");
    if (causeBtn) causeBtn.addEventListener("click", () => this.askCause());
    const reset = this.root.querySelector("#lesson-reset");
    if (reset) reset.addEventListener("submit", (ev) => {
      if (!window.confirm(t("lesson.resetConfirm"))) ev.preventDefault();
    });
    this.refresh();
  }

  refreshSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    try {
      const res = await fetch(this.urls.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok) return;
      this.show(await res.json());
    } catch {
      /* offline: the next change refreshes */
    }
  }

  async call(url, body) {
    this.setError("");
    const { ok, data } = await postJSON(url, body || {});
    if (!ok) {
      this.setError(data.detail || t("lesson.failed"));
      return null;
    }
    return data;
  }

  setError(text) {
    if (this.errorEl) this.errorEl.textContent = text;
  }

  async observe(obs) {
    if (!obs) return;
    const key = JSON.stringify(obs);
    if (this.sent.has(key)) return;
    this.sent.add(key);
    const data = await this.call(this.urls.observeUrl, obs);
    if (data) this.show(data);
  }

  async solve(button) {
    button.disabled = true;
    const data = await this.call(this.urls.solveUrl);
    button.disabled = false;
    if (data) {
      this.announce(t("lesson.shown"));
      this.show(data);
    }
  }

  async predict(step, choice) {
    const data = await this.call(this.urls.observeUrl, { what: "predict", step: step.id, choice });
    if (data) this.show(data);
  }

  async sendRequest() {
    const data = await this.call(this.urls.requestUrl);
    if (data) this.announce(t("lesson.requestSent"));
  }

  async askCause() {
    const data = await this.call(this.urls.observeUrl, { what: "cause" });
    if (data) this.show(data);
  }

  show(status) {
    const before = this.status;
    this.status = status;
    const done = status.steps.filter((s) => s.done).length;
    this.progressEl.textContent = status.done
      ? t("lesson.allDone")
      : t("lesson.progress", { n: Math.min(done + 1, status.steps.length), total: status.steps.length });
    if (before) {
      for (const step of status.steps) {
        const was = before.steps.find((s) => s.id === step.id);
        if (step.done && was && !was.done) this.announce(t("lesson.stepDone", { title: step.title }));
      }
    }
    this.stepsEl.replaceChildren(...status.steps.map((step, i) => this.stepItem(step, i, status)));
    this.showScenario(status);
    this.showDone(status);
  }

  stepItem(step, index, status) {
    const current = step.id === status.current;
    const li = el("li", { class: `lesson-step${step.done ? " done" : ""}${current ? " current" : ""}` });
    li.dataset.step = step.id;
    const mark = step.done ? "✓" : current ? "▶" : String(index + 1);
    const state = step.done ? t("lesson.stateDone") : current ? t("lesson.stateCurrent") : t("lesson.stateLater");
    li.append(el("h3", { class: "lesson-step-title" },
      el("span", { class: "lesson-mark", "aria-hidden": "true", text: mark }),
      el("span", { text: step.title }),
      el("span", { class: "visually-hidden", text: ` (${state})` })));
    if (step.done && step.why) li.append(el("p", { class: "lesson-why" }, ...richText(step.why)));
    if (!current) return li;
    if (step.predict && !step.predict.answered) {
      li.append(this.predictBlock(step));
      return li; // act after predicting
    }
    if (step.predict) li.append(this.revealBlock(step.predict));
    li.append(el("p", { class: "lesson-do" }, ...richText(step.do)));
    if (step.look) li.append(el("p", { class: "lesson-look" }, el("span", { class: "lesson-look-label", text: t("lesson.look") }), " ", ...richText(step.look)));
    const hintId = `lesson-hint-${step.id}`;
    const hint = el("p", { class: "lesson-hint", id: hintId }, ...richText(step.hint));
    hint.hidden = !this.openHints.has(step.id);
    const hintBtn = el("button", { type: "button", class: "btn btn-small", "aria-expanded": String(!hint.hidden), "aria-controls": hintId,
      text: t("lesson.hint") });
    hintBtn.addEventListener("click", () => {
      hint.hidden = !hint.hidden;
      hintBtn.setAttribute("aria-expanded", String(!hint.hidden));
      if (hint.hidden) this.openHints.delete(step.id);
      else this.openHints.add(step.id);
    });
    const showBtn = el("button", { type: "button", class: "btn btn-small", text: t("lesson.showMe") });
    showBtn.addEventListener("click", () => this.solve(showBtn));
    li.append(el("div", { class: "lesson-actions" }, hintBtn, showBtn), hint);
    return li;
  }

  predictBlock(step) {
    const name = `predict-${step.id}`;
    const box = el("fieldset", { class: "lesson-predict" }, el("legend", { text: `${t("lesson.predict")} ${step.predict.question}` }));
    step.predict.choices.forEach((choice, i) => {
      const btn = el("button", { type: "button", class: "btn lesson-choice", name, text: choice });
      btn.addEventListener("click", () => this.predict(step, i));
      box.append(btn);
    });
    return box;
  }

  revealBlock(predict) {
    const right = predict.choice === predict.answer;
    const verdict = right ? t("lesson.predictRight") : t("lesson.predictWrong", { answer: predict.choices[predict.answer] });
    return el("div", { class: `lesson-reveal ${right ? "right" : "wrong"}`, role: "status" },
      el("strong", { text: verdict }), " ", ...richText(predict.explain));
  }

  showScenario(status) {
    if (!this.scenarioEl || status.kind !== "scenario") return;
    const symptom = this.scenarioEl.querySelector("#lesson-symptom-text");
    if (symptom && status.symptom) symptom.replaceChildren(...richText(status.symptom));
    const cause = this.scenarioEl.querySelector("#lesson-cause");
    const btn = this.scenarioEl.querySelector("#lesson-cause-btn");
    cause.hidden = !status.cause;
    cause.replaceChildren(...(status.cause ? [el("strong", { text: t("lesson.cause") }), " ", ...richText(status.cause)] : []));
    btn.hidden = Boolean(status.cause);
  }

  showDone(status) {
    if (!this.doneEl) return;
    this.doneEl.hidden = !status.done;
    if (!status.done) return;
    const text = this.doneEl.querySelector("#lesson-done-text");
    if (text) text.replaceChildren(...richText(status.done_text || ""));
  }
}

const host = typeof document !== "undefined" ? document.getElementById("lesson") : null;
if (host) {
  const app = document.getElementById("app");
  const live = document.getElementById("status-message");
  const announce = (msg) => {
    if (!live) return;
    live.textContent = "";
    setTimeout(() => {
      live.textContent = msg;
      live.classList.add("visible");
      setTimeout(() => live.classList.remove("visible"), 6000);
    }, 30);
  };
  new LessonPanel(host, { announce }).start(app);
}
