// The class's question card, on the stage: students pick a choice; the teacher (and the projector)
// sees how the class answers, live, then everyone sees the answer. Text only via textContent.
//
// A question built by the teacher's page with quiz.js carries `detail` (what the question is about:
// place, destination before the hop, each choice's address and what it is in the sandbox) and, at
// the reveal, `explain` (the rule that decided it): each screen words them in its own language
// with quiz.js. A question built by the server has plain choices.

import { t } from "./i18n.js";
import { el } from "./dom.js";
import { choiceLabel, questionText, revealText, valueText } from "./quiz.js";

const LETTERS = "ABCDEF";

/** What to show of a question, in the reader's language. Pure apart from t(). */
export function questionWords(q) {
  const d = q.detail;
  if (d && Array.isArray(d.choices) && d.choices.length === q.choices.length) {
    const words = questionText({ ...d, hops: d.hops || 0 });
    return {
      progress: words.progress,
      prompt: words.prompt,
      choices: d.choices.map((c) => ({ value: valueText(c), label: choiceLabel(c) })),
    };
  }
  return {
    progress: t("class.q.progress", { hop: q.hop + 2 }),
    prompt: q.prompt || t("class.q.prompt", { hop: q.hop + 1 }),
    choices: q.choices.map((c) => ({ value: String(c), label: "" })),
  };
}

/** The reveal's words for a student who picked `picked` (or null). */
export function revealWords(q, answer, picked) {
  const d = q.detail;
  if (d && q.explain && Array.isArray(d.choices)) {
    const full = { ...d, ...q.explain, answer, choices: d.choices.map((c, k) => ({ ...c, answer: k === answer })) };
    if (picked === null || picked === undefined) {
      return { verdict: t("class.q.answerIs", { answer: valueText(full.choices[answer]) }), why: revealText(full, answer).why, hint: "" };
    }
    return revealText(full, picked);
  }
  const right = q.choices[answer];
  if (picked === null || picked === undefined) return { verdict: t("class.q.answerIs", { answer: right }), why: "", hint: "" };
  return { verdict: picked === answer ? t("class.q.right", { answer: right }) : t("class.q.wrong", { answer: right, picked: q.choices[picked] }), why: "", hint: "" };
}

export class QuestionCard {
  /** host: the stage's #class-question; opts: {teacher, onAnswer(k), onReveal(), onClose()} */
  constructor(host, opts = {}) {
    this.host = host;
    this.opts = opts;
    this.q = null;
    this.picked = null;
    this.counts = null;
    this.answer = null;
    this.note = "";
    this.minimized = false;
  }

  show(q, { picked = null } = {}) {
    if (!q) {
      this.hide();
      return;
    }
    const same = this.q && this.q.id === q.id;
    this.q = q;
    if (!same) {
      this.minimized = false;
      this.note = "";
    }
    this.picked = picked ?? (same ? this.picked : null);
    this.answer = q.revealed ? q.answer : same ? this.answer : null;
    this.counts = q.counts || (same ? this.counts : null);
    this.render();
  }

  hide() {
    this.q = null;
    this.host.hidden = true;
    this.host.replaceChildren();
    this._side(false);
  }

  /** The open card takes the side panel (class-q-open on its parent). */
  _side(open) {
    if (this.host.parentElement) this.host.parentElement.classList.toggle("class-q-open", open);
  }

  setCounts(counts) {
    this.counts = counts;
    this.render();
  }

  setPicked(k, note = "") {
    this.picked = k;
    this.note = note;
    this.render();
  }

  setNote(note) {
    this.note = note;
    this.render();
  }

  reveal(answer, counts, explain) {
    if (!this.q) return;
    this.answer = answer;
    if (counts) this.counts = counts;
    if (explain) this.q = { ...this.q, explain };
    this.minimized = false;
    this.render();
  }

  render() {
    const q = this.q;
    if (!q) return;
    const teacher = Boolean(this.opts.teacher);
    const words = questionWords(q);
    const revealed = this.answer !== null && this.answer !== undefined;
    const total = (this.counts || []).reduce((a, b) => a + b, 0);
    this.host.hidden = false;
    this.host.classList.toggle("is-teacher", teacher);
    this.host.classList.toggle("is-revealed", revealed);
    this.host.classList.toggle("is-min", this.minimized);
    this._side(!this.minimized);
    // The head: where we are, how many answered (teacher), reveal, hide.
    const status = teacher ? t("class.q.answered", { n: total, total: this.opts.connected ? this.opts.connected() : 0 }) : "";
    const head = el("div", { class: "cq-head" },
      el("p", { class: "cq-progress" }, `${t("class.q.title")} · ${words.progress}`, status ? el("span", { class: "cq-answered", role: "status", text: ` · ${status}` }) : null),
      teacher && !revealed && !this.minimized ? el("button", { type: "button", class: "btn btn-primary btn-small cq-reveal", onclick: () => this.opts.onReveal && this.opts.onReveal() }, t("class.q.reveal")) : null,
      el("button", { type: "button", class: "btn btn-small cq-min", "aria-expanded": this.minimized ? "false" : "true", onclick: () => {
        this.minimized = !this.minimized;
        this.render();
      } }, this.minimized ? t("class.q.expand") : t("class.q.minimize")));
    if (this.minimized) {
      this.host.replaceChildren(head);
      return;
    }
    const parts = [head, el("h2", { class: "cq-prompt", text: words.prompt })];
    if (revealed) {
      // The verdict first, so it is in view without scrolling.
      const r = revealWords(q, this.answer, teacher ? null : this.picked);
      parts.push(el("div", { class: "cq-result", role: "status" },
        el("p", { class: "cq-verdict", text: r.verdict }),
        r.why ? el("p", { class: "cq-why", text: r.why }) : null,
        r.hint ? el("p", { class: "cq-hint", text: r.hint }) : null));
    }
    const list = el("ol", { class: "cq-choices" });
    words.choices.forEach((c, k) => {
      const count = this.counts ? this.counts[k] || 0 : 0;
      const pct = total ? Math.round((100 * count) / total) : 0;
      const right = revealed && k === this.answer;
      const mine = this.picked === k;
      const classes = ["cq-choice", right ? "is-right" : "", revealed && mine && !right ? "is-wrong" : "", mine ? "is-mine" : ""].filter(Boolean).join(" ");
      const marks = [
        right ? el("span", { class: "cq-mark cq-right", text: `✓ ${t("class.q.correct")}` }) : null,
        mine && !teacher ? el("span", { class: "cq-mark cq-mine", text: t("class.q.yours") }) : null,
      ].filter(Boolean);
      const showCounts = teacher || revealed;
      const inner = [
        el("span", { class: "cq-letter", "aria-hidden": "true", text: LETTERS[k] }),
        el("span", { class: "cq-text" },
          el("span", { class: "cq-value", text: c.value }),
          c.label || marks.length ? el("span", { class: "cq-label" }, c.label, ...marks) : null,
          showCounts ? el("span", { class: "cq-bar", "aria-hidden": "true" }, el("span", { class: "cq-fill", style: `width: ${pct}%` })) : null),
        showCounts ? el("span", { class: "cq-count", text: t("class.q.count", { n: count, pct }) }) : null,
      ];
      const canAnswer = !teacher && !revealed && this.picked === null && !this.opts.locked;
      const node = canAnswer
        ? el("button", { type: "button", class: classes, "data-choice": String(k), onclick: () => this.opts.onAnswer && this.opts.onAnswer(k) }, ...inner)
        : el("div", { class: classes, "data-choice": String(k) }, ...inner);
      list.append(el("li", {}, node));
    });
    parts.push(list);
    if (revealed) {
      parts.push(el("button", { type: "button", class: "btn btn-small cq-close", onclick: () => (this.opts.onClose ? this.opts.onClose() : this.hide()) }, t("class.q.close")));
    } else if (!teacher) {
      parts.push(el("p", { class: "cq-status", role: "status", text: this.note || (this.picked === null ? t("class.q.pick") : t("class.q.sent")) }));
    }
    this.host.replaceChildren(...parts);
  }
}
