// The "send a request" panel: pick a source and a destination (or type one), send 1 or 20.
// The packets are animated from the websocket `trace` messages; the HTTP answer is used for
// errors and for the per-pod tally of the last batch.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { requestTargets, tallyTraces } from "./state.js";

const GROUPS = ["lb", "nodePort", "clusterIP", "dns", "pod"];

/** Pod names differ at the end (kubia-7d5b8f9c4-x2k9p): keep the end, cut the middle. */
export function shortName(name, max = 20) {
  return name.length <= max ? name : `${name.slice(0, 6)}…${name.slice(-(max - 7))}`;
}

function destLabel(d) {
  switch (d.kind) {
    case "lb":
      return t("req.destLB", { addr: d.value, svc: d.service });
    case "nodePort":
      return t("req.destNodePort", { addr: d.value, svc: d.service, node: d.node, kind: d.address });
    case "clusterIP":
      return t("req.destClusterIP", { addr: d.value, svc: d.service });
    case "dns":
      return d.value;
    case "pod":
      return t("req.destPod", { addr: d.value, pod: d.pod });
    default:
      return d.value;
  }
}

function sourceLabel(s) {
  if (s.kind === "external") return t("req.srcExternal");
  if (s.kind === "node") return t("req.srcNode", { name: s.name, ip: s.ip || "—" });
  return t("req.srcPod", { name: s.name, ip: s.ip });
}

export class RequestPanel {
  constructor(els, { send } = {}) {
    this.els = els; // {form, source, destination, free, send1, send20, error, tally, hint}
    this.send = send;
    this.signature = "";
    this.pending = false;
    els.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const count = ev.submitter && ev.submitter.dataset.count ? Number(ev.submitter.dataset.count) : 1;
      this.submit(count);
    });
  }

  update(view) {
    const { sources, destinations, podsTruncated } = requestTargets(view);
    const sig = sources.map((s) => s.value).join("|") + "#" + destinations.map((d) => d.value + d.kind).join("|");
    this.els.hint.textContent = view && !view.services.length ? t("req.noServices") : podsTruncated ? t("req.podsTruncated", { n: podsTruncated }) : "";
    if (sig === this.signature) return;
    this.signature = sig;
    const keepSrc = this.els.source.value;
    const keepDst = this.els.destination.value;
    this.els.source.replaceChildren(...sources.map((s) => el("option", { value: s.value, selected: s.value === keepSrc }, sourceLabel(s))));
    const groups = GROUPS.map((g) => {
      const items = destinations.filter((d) => d.kind === g);
      if (!items.length) return null;
      return el("optgroup", { label: t(`req.group.${g}`) }, items.map((d) => el("option", { value: d.value, selected: d.value === keepDst }, destLabel(d))));
    }).filter(Boolean);
    if (!groups.length) groups.push(el("option", { value: "", text: t("req.noDestinations") }));
    this.els.destination.replaceChildren(...groups);
  }

  async submit(count) {
    if (this.pending) return;
    const destination = this.els.free.value.trim() || this.els.destination.value;
    this.els.error.textContent = "";
    if (!destination) {
      this.els.error.textContent = t("req.needDestination");
      this.els.free.focus();
      return;
    }
    this.pending = true;
    this.els.send1.disabled = true;
    this.els.send20.disabled = true;
    this.els.form.setAttribute("aria-busy", "true");
    const res = await this.send({ source: this.els.source.value || "external", destination, count });
    this.pending = false;
    this.els.send1.disabled = false;
    this.els.send20.disabled = false;
    this.els.form.removeAttribute("aria-busy");
    if (!res.ok) {
      this.els.error.textContent = res.data.detail || t("forms.networkError");
      return res;
    }
    this.showTally(res.data.traces || []);
    return res;
  }

  /** Where the last batch landed: one bar per pod (with ClientIP affinity, all on one pod). */
  showTally(traces) {
    const tally = tallyTraces(traces);
    const box = this.els.tally;
    if (!tally.total) {
      box.replaceChildren();
      return;
    }
    const rows = tally.pods.map((p) => {
      const pct = Math.round((p.count * 100) / tally.total);
      return el(
        "li",
        {},
        el("span", { class: "tally-name", title: p.pod }, el("span", { "aria-hidden": "true", text: shortName(p.pod) }), el("span", { class: "visually-hidden", text: p.pod })),
        el("span", { class: "tally-bar", "aria-hidden": "true" }, el("span", { style: `width:${pct}%` })),
        el("span", { class: "tally-count", text: t("req.tallyCount", { n: p.count, pct }) }),
      );
    });
    const other = Object.entries(tally.outcomes)
      .filter(([o]) => o !== "delivered")
      .map(([o, n]) => el("li", { class: "tally-other" }, el("span", { class: "tally-name", text: t(`outcome.short.${o}`) }), el("span", { class: "tally-count", text: String(n) })));
    box.replaceChildren(el("h3", { text: t("req.tallyTitle", { n: tally.total }) }), el("ul", { class: "tally" }, rows, other));
  }
}
