// Text tables of everything on the canvas (the accessible equivalent), kubectl-like columns, with
// the per-object action buttons for the owner.

import { el, mark } from "./dom.js";
import { nodeStatus, t } from "./i18n.js";

const LIMIT = 150;

export class Tables {
  constructor(root, { role = "owner", onAction, onSelect } = {}) {
    this.root = root;
    this.role = role;
    this.onAction = onAction;
    this.onSelect = onSelect;
    this.expanded = new Set();
    this.view = null;
  }

  setRole(role) {
    this.role = role;
  }

  _select(ref, label) {
    return el("button", { type: "button", class: "linkish", onclick: () => this.onSelect && this.onSelect(ref) }, label);
  }

  _act(action, params, label, danger = false) {
    if (this.role !== "owner") return null;
    return el("button", { type: "button", class: `btn btn-small ${danger ? "btn-danger" : ""}`, onclick: () => this.onAction && this.onAction(action, params, label) }, label);
  }

  _section(id, title, headers, rows, emptyText) {
    const total = rows.length;
    const limited = !this.expanded.has(id) && total > LIMIT;
    const shown = limited ? rows.slice(0, LIMIT) : rows;
    const body = total
      ? el(
          "div",
          { class: "table-scroll" },
          el(
            "table",
            { class: "data responsive" },
            el("caption", { class: "visually-hidden", text: title }),
            el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
            // data-label: in a narrow panel each row becomes a small card of "label: value" lines.
            el("tbody", {}, shown.map((r) => el("tr", {}, r.map((c, i) => el("td", { "data-label": headers[i] || "" }, c))))),
          ),
        )
      : el("p", { class: "empty-state", text: emptyText });
    const more = limited
      ? el(
          "button",
          {
            type: "button",
            class: "btn btn-small",
            onclick: () => {
              this.expanded.add(id);
              this._draw(this.view);
            },
          },
          t("tables.showAll", { n: total }),
        )
      : null;
    return el("section", { class: "table-section", id: `tables-${id}` }, el("h3", { text: `${title} (${total})` }), body, more);
  }

  /**
   * Re-render (the owner's changes stream in). Not while the keyboard is inside the tables: that
   * would steal the focus; it catches up when the focus leaves.
   */
  render(view) {
    this.view = view;
    if (this.root.contains(document.activeElement) && document.activeElement !== this.root) {
      this.stale = true;
      if (!this._waiting) {
        this._waiting = true;
        this.root.addEventListener("focusout", () => {
          this._waiting = false;
          setTimeout(() => {
            if (this.stale && !this.root.contains(document.activeElement)) this.render(this.view);
          }, 0);
        }, { once: true });
      }
      return;
    }
    this.stale = false;
    this._draw(view);
  }

  _draw(view) {
    if (!view) {
      this.root.replaceChildren(el("p", { class: "empty-state", text: t("canvas.connecting") }));
      return;
    }
    const owner = this.role === "owner";
    const code = (s) => el("code", { text: s });

    const services = view.services.map((s) => [
      this._select({ kind: "Service", key: s.key }, s.name),
      s.type,
      code(s.headless ? "None" : s.clusterIP || "—"),
      code(s.type === "LoadBalancer" ? (s.lbPending ? "<pending>" : s.lbIPs.join(",")) : "<none>"),
      code(s.portsText || "<none>"),
      code(s.selectorText || "<none>"),
      owner ? this._act("serviceDelete", { namespace: s.namespace, name: s.name }, t("action.delete"), true) : null,
    ]);

    const endpoints = view.services
      .filter((s) => s.endpoints)
      .map((s) => {
        const ep = s.endpoints;
        const addrs = ep.ready.flatMap((a) => a.ports.map((p) => `${a.ip}:${p}`));
        const text = addrs.length ? (addrs.length > 3 ? `${addrs.slice(0, 3).join(",")} + ${addrs.length - 3} more...` : addrs.join(",")) : "<none>";
        return [this._select({ kind: "Endpoints", key: ep.key }, ep.name), code(text), t("obj.endpointsSummary", { ready: ep.ready.length, notReady: ep.notReady.length })];
      });

    const slices = view.slices.concat(view.orphanSlices).map((s) => [
      this._select({ kind: "EndpointSlice", key: s.key }, s.name),
      s.service || "—",
      s.addressType,
      code(s.ports.map((p) => p.port).join(",") || "<unset>"),
      t("obj.sliceCounts", { total: s.counts.total, ready: s.counts.ready }),
    ]);

    const pods = view.pods.map((p) => [
      this._select({ kind: "Pod", key: p.key }, p.name),
      mark(p.state, t(`state.${p.state}`)),
      code(p.ip || "<none>"),
      p.node || "<none>",
      owner
        ? el(
            "span",
            { class: "row-actions" },
            this._act("podReadiness", { namespace: p.namespace, name: p.name }, p.ready ? t("action.makeNotReadyShort") : t("action.makeReadyShort")),
            this._act("podDelete", { namespace: p.namespace, name: p.name }, t("action.delete"), true),
          )
        : null,
    ]);

    const nodes = view.nodes.map((n) => [
      this._select({ kind: "Node", key: n.key }, n.name),
      mark(n.ready ? "ready" : "notready", nodeStatus(n)),
      code(n.internalIP || "—"),
      code(n.externalIP || "—"),
      t("obj.podCounts", { total: n.counts.total, ready: n.counts.ready }),
      owner ? this._act("nodeDelete", { name: n.name }, t("action.remove"), true) : null,
    ]);

    const deployments = view.deployments.map((d) => [
      d.name,
      `${d.readyReplicas}/${d.replicas}`,
      code(Object.entries(d.selector).map(([k, v]) => `${k}=${v}`).join(",") || "—"),
      owner ? this._act("workloadDelete", { namespace: d.namespace, name: d.name }, t("action.delete"), true) : null,
    ]);

    const withAction = (cols) => (owner ? [...cols, t("tables.actions")] : cols);
    const strip = (rows) => (owner ? rows : rows.map((r) => r.slice(0, -1)));
    this.root.replaceChildren(
      el("h2", { class: "panel-title", text: t("tables.title") }),
      el("p", { class: "hint", text: t("tables.help") }),
      this._section("services", t("tables.services"), withAction([t("col.name"), t("col.type"), t("col.clusterIP"), t("col.externalIP"), t("col.ports"), t("col.selector")]), strip(services), t("tables.noServices")),
      this._section("endpoints", t("tables.endpoints"), [t("col.name"), t("col.endpoints"), t("col.summary")], endpoints, t("tables.noEndpoints")),
      this._section("slices", t("tables.slices"), [t("col.name"), t("col.service"), t("col.addressType"), t("col.ports"), t("col.endpoints")], slices, t("tables.noSlices")),
      this._section("pods", t("tables.pods"), withAction([t("col.name"), t("col.ready"), t("col.ip"), t("col.node")]), strip(pods), t("tables.noPods")),
      this._section("nodes", t("tables.nodes"), withAction([t("col.name"), t("col.status"), t("col.internalIP"), t("col.externalIP"), t("col.pods")]), strip(nodes), t("tables.noNodes")),
      this._section("deployments", t("tables.deployments"), withAction([t("col.name"), t("col.ready"), t("col.selector")]), strip(deployments), t("tables.noDeployments")),
    );
  }
}
