// The trace as text: one line per hop (a button: inspect that hop), the line of the packet's
// current hop marked. The list is aria-live="polite", so a new trace is read out as it arrives.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { hopLine, hopText, outcomeText, traceReason, traceTitle } from "./tracefmt.js";

// Glyphs every machine has (DejaVu covers them): emoji such as ⌛ show as empty boxes without an emoji font.
const OUTCOME_ICON = { delivered: "✓", refused: "✗", dropped: "⊘", unroutable: "?" };

export class TraceLog {
  constructor({ list, summary, history, empty }, { onSelectHop, onSelectTrace } = {}) {
    this.list = list;
    this.summary = summary;
    this.history = history;
    this.empty = empty;
    this.onSelectHop = onSelectHop;
    this.onSelectTrace = onSelectTrace;
    this.trace = null;
    this.current = -1;
    this.showListeners = new Set(); // onShow(cb): the book view follows the trace shown here
    if (history) {
      history.addEventListener("change", () => {
        if (this.onSelectTrace && history.value) this.onSelectTrace(history.value);
      });
    }
    this.setTraces([]);
  }

  /** Keep the "earlier requests" picker in step with the stored traces (newest first). */
  setTraces(traces, focusedId = null) {
    if (!this.history) return;
    const opts = traces
      .slice()
      .reverse()
      .map((tr, i) => el("option", { value: tr.id, selected: tr.id === focusedId }, `#${traces.length - i} ${OUTCOME_ICON[tr.outcome] || "•"} ${tr.destination || "?"} · ${t(`outcome.short.${tr.outcome || "delivered"}`)}`));
    if (!opts.length) opts.push(el("option", { value: "", text: t("tracelog.none") }));
    this.history.replaceChildren(...opts);
    this.history.disabled = traces.length === 0;
  }

  /** cb(trace) whenever a trace is shown (null: none); returns an unsubscribe function. */
  onShow(cb) {
    this.showListeners.add(cb);
    return () => this.showListeners.delete(cb);
  }

  showTrace(trace) {
    this.trace = trace;
    this.current = -1;
    for (const cb of this.showListeners) cb(trace);
    if (this.empty) this.empty.hidden = Boolean(trace);
    if (!trace) {
      this.summary.textContent = "";
      this.list.replaceChildren();
      return;
    }
    const icon = OUTCOME_ICON[trace.outcome] || "•";
    this.summary.replaceChildren(
      el("span", { class: `outcome outcome-${trace.outcome}` }, el("span", { "aria-hidden": "true", text: icon + " " }), outcomeText(trace)),
      " — ",
      traceTitle(trace),
      trace.reason && trace.outcome !== "delivered" ? ` — ${traceReason(trace)}` : "",
    );
    const items = (trace.hops || []).map((hop, i) =>
      el(
        "li",
        { class: "log-line", dataset: { hop: String(i) } },
        el(
          "button",
          { type: "button", class: "log-btn", onclick: () => this.onSelectHop && this.onSelectHop(trace, i) },
          el("span", { class: "log-main", text: hopLine(hop, i) }),
          hop.text ? el("span", { class: "log-text", text: hopText(hop) }) : null,
        ),
      ),
    );
    this.list.replaceChildren(...items);
  }

  /** Mark the hop the focused packet is at (aria-current), and keep it in view. */
  setCurrent(hopIndex) {
    if (hopIndex === this.current) return;
    this.current = hopIndex;
    for (const li of this.list.children) {
      const on = Number(li.dataset.hop) === hopIndex;
      li.classList.toggle("current", on);
      const btn = li.firstElementChild;
      if (on) btn.setAttribute("aria-current", "step");
      else btn.removeAttribute("aria-current");
      if (on && li.scrollIntoView) li.scrollIntoView({ block: "nearest" });
    }
  }
}
