// The Services the picture does not show (folded into "+N more", or outside the zoomed window),
// listed over the canvas and searchable by name; choosing one brings it into the picture.

import { el } from "./dom.js";
import { t } from "./i18n.js";

const MAX_LISTED = 40;

/** Pure: the keys of the Services that are not in the window, in the view's order, filtered by `query`. */
export function servicesOutOfView(services, drawnRect, query = "") {
  const q = String(query || "").trim().toLowerCase();
  return services
    .filter((svc) => !drawnRect(svc.key))
    .filter((svc) => !q || svc.key.toLowerCase().includes(q) || (svc.clusterIP || "").includes(q))
    .map((svc) => svc.key);
}

export class ServiceFinder {
  /** wrap: the canvas's container; onPick(key): bring that Service into the picture. */
  constructor(wrap, { onPick }) {
    this.onPick = onPick;
    this.keys = [];
    this.box = el("details", { class: "service-finder", id: "service-finder", hidden: true });
    this.summary = el("summary", {});
    this.input = el("input", { type: "search", id: "service-finder-input", "aria-label": t("finder.search"), placeholder: t("finder.search"), autocomplete: "off" });
    this.list = el("ul", { class: "service-finder-list", id: "service-finder-list" });
    this.box.append(this.summary, this.input, this.list);
    wrap.append(this.box);
    this.input.addEventListener("input", () => this._render());
    this.input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        const first = this.list.querySelector("button");
        if (first) first.click();
      }
    });
    this.box.addEventListener("toggle", () => {
      if (this.box.open) this.input.focus();
    });
  }

  /** services: the view's Services; drawnRect(key): its box when it is in the window, else null. */
  update(services, drawnRect) {
    this.services = services;
    this.drawnRect = drawnRect;
    const hidden = servicesOutOfView(services, drawnRect);
    this.box.hidden = hidden.length === 0;
    this.summary.textContent = t("finder.summary", { n: hidden.length });
    if (this.box.open) this._render();
    else this.list.replaceChildren();
  }

  _render() {
    const keys = servicesOutOfView(this.services || [], this.drawnRect || (() => null), this.input.value);
    const items = keys.slice(0, MAX_LISTED).map((key) =>
      el("li", {}, el("button", { type: "button", class: "link", "data-service": key, onclick: () => this.onPick(key) }, key)),
    );
    if (keys.length > MAX_LISTED) items.push(el("li", { class: "muted", text: t("finder.more", { n: keys.length - MAX_LISTED }) }));
    if (!keys.length) items.push(el("li", { class: "muted", text: t("finder.none") }));
    this.list.replaceChildren(...items);
  }
}
