// The cost view: what one endpoint change (and a rolling update) sends to every kube-proxy, with
// Endpoints versus EndpointSlices, for this sandbox and at KEP-752's size. Figures come from the
// server (GET <api>/cost/), measured on the sandbox's own objects; this module draws them as bars.

import { t } from "./i18n.js";
import { el } from "./dom.js";

/** 1536 -> "1.5 KiB", 3.2e9 -> "3.0 GiB". */
export function formatBytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = Number(n) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Two bars on one scale: the Endpoints figure and the slices figure, with their ratio. */
export function compareBars(label, endpointsBytes, sliceBytes) {
  const max = Math.max(endpointsBytes, sliceBytes, 1);
  const bar = (cls, name, bytes) => {
    const fill = el("span", { class: "cost-bar" });
    fill.style.width = `${Math.max(0.5, (100 * bytes) / max)}%`; // CSSOM, not a style attribute: CSP-safe
    return el("div", { class: `cost-bar-row ${cls}` },
      el("span", { class: "cost-bar-name", text: name }),
      el("span", { class: "cost-bar-track" }, fill),
      el("span", { class: "cost-bar-value", text: formatBytes(bytes) }));
  };
  const ratio = sliceBytes > 0 ? endpointsBytes / sliceBytes : 1;
  return el("div", { class: "cost-compare" },
    el("h4", { text: label }),
    bar("cost-endpoints", t("cost.withEndpoints"), endpointsBytes),
    bar("cost-slices", t("cost.withSlices"), sliceBytes),
    el("p", { class: "cost-ratio", text: ratio >= 1.05 ? t("cost.ratio", { x: ratio.toFixed(ratio < 10 ? 1 : 0) }) : ratio > 0.95 ? t("cost.same") : t("cost.smaller") }));
}

export function renderCost(data) {
  const rows = (data && data.services) || [];
  if (!rows.length) return [el("p", { class: "empty-state", text: t("cost.empty") })];
  const top = rows[0];
  const here = top.here;
  const parts = [
    el("h3", { text: t("cost.service", { service: top.service, endpoints: here.endpoints, slices: top.slices, nodes: here.nodes }) }),
    compareBars(t("cost.oneChange"), here.change_endpoints, here.change_slices),
    compareBars(t("cost.rolling", { n: here.endpoints }), here.rolling_endpoints, here.rolling_slices),
  ];
  for (const [size, kep] of Object.entries(top.kep || {})) {
    parts.push(el("h3", { text: t("cost.kep", { size }) }),
      compareBars(t("cost.oneChange"), kep.change_endpoints, kep.change_slices),
      compareBars(t("cost.rolling", { n: kep.endpoints }), kep.rolling_endpoints, kep.rolling_slices));
  }
  if (rows.length > 1) {
    parts.push(el("table", { class: "cost-table" },
      el("caption", { text: t("cost.all") }),
      el("thead", {}, el("tr", {}, ...["cost.colService", "cost.colEndpoints", "cost.colSlices", "cost.colEndpointsBytes", "cost.colSliceBytes"].map((k) => el("th", { scope: "col", text: t(k) })))),
      el("tbody", {}, ...rows.map((r) => el("tr", {},
        el("th", { scope: "row", text: r.service }), el("td", { text: String(r.here.endpoints) }), el("td", { text: String(r.slices) }),
        el("td", { text: formatBytes(r.here.change_endpoints) }), el("td", { text: formatBytes(r.here.change_slices) }))))));
  }
  return parts;
}

export function wireCostView({ button, dialog, body, apiBase, onOpen }) {
  if (!button || !dialog || !body || !apiBase) {
    if (button) button.hidden = true;
    return;
  }
  button.addEventListener("click", async () => {
    body.replaceChildren(el("p", { text: t("cost.loading") }));
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    try {
      const res = await fetch(`${apiBase}cost/`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      body.replaceChildren(...(res.ok ? renderCost(await res.json()) : [el("p", { class: "field-error", text: t("lesson.failed") })]));
    } catch {
      body.replaceChildren(el("p", { class: "field-error", text: t("forms.networkError") }));
    }
    if (onOpen) onOpen();
  });
}
