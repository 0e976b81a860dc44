// The book's picture of a request beside the real one. Kubernetes in Action (ch. 5) draws
// client -> nodeIP:nodePort -> clusterIP:port -> podIP:targetPort; kube-proxy's rules DNAT straight
// to the pod, so the packet never passes through the clusterIP. Both are right: the clusterIP:port ->
// endpoints mapping is programmed into every node, and the DNAT applies it in one rewrite.
//
// Pure part (traceFacts, bookPath): a trace (README.md) + the model (state.js) -> plain data,
// tested with `node --test` (tests/js/test_bookview.mjs). The BookView class below draws it in the
// trace log; it touches the DOM only when constructed.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { serviceKeyOf } from "./anim.js";
import { SERVICE_NAME_LABEL, nodeView, podView, serviceView, sliceView } from "./state.js";

const NATURAL = new Intl.Collator("en", { numeric: true });

export function splitAddr(address) {
  const s = String(address || "");
  const i = s.lastIndexOf(":");
  if (i < 0) return { ip: s, port: null };
  const port = Number(s.slice(i + 1));
  return { ip: s.slice(0, i), port: Number.isFinite(port) ? port : null };
}

export function joinAddr(ip, port) {
  return `${ip}:${port}`;
}

function list(model, kind) {
  const map = model && model.objects ? model.objects[kind] : null;
  return map ? [...map.values()] : [];
}

/** Nodes of the model as node views, in name order (node-2 before node-10). */
export function modelNodes(model) {
  return list(model, "Node")
    .map(nodeView)
    .sort((a, b) => NATURAL.compare(a.name, b.name));
}

export function modelPods(model) {
  return list(model, "Pod")
    .map(podView)
    .sort((a, b) => NATURAL.compare(a.key, b.key));
}

export function modelServices(model) {
  return list(model, "Service").map((s) => serviceView(s));
}

/** Ready endpoints of a Service from its EndpointSlices: [{ip, pod ("ns/name"), node}], by IP. */
export function serviceEndpoints(model, svc) {
  if (!svc) return [];
  const seen = new Map();
  for (const obj of list(model, "EndpointSlice")) {
    const s = sliceView(obj);
    if (s.namespace !== svc.namespace || s.service !== svc.name) continue;
    for (const e of s.endpoints) if (e.ready && e.ip && !seen.has(e.ip)) seen.set(e.ip, { ip: e.ip, pod: e.pod, node: e.node });
  }
  return [...seen.values()].sort((a, b) => NATURAL.compare(a.ip, b.ip));
}

/** The Service a trace went to: trace.service, else the one owning the address it was sent to. */
export function findService(model, trace, entry = "") {
  const services = modelServices(model);
  const key = serviceKeyOf(trace);
  if (key) return services.find((s) => s.key === key) || null;
  const { ip, port } = splitAddr(entry);
  if (!ip) return null;
  const nodeIPs = new Set(modelNodes(model).flatMap((n) => [n.internalIP, n.externalIP]).filter(Boolean));
  return (
    services.find((s) => !s.headless && s.clusterIP === ip && s.ports.some((p) => p.port === port)) ||
    services.find((s) => s.lbIPs.includes(ip) && s.ports.some((p) => p.port === port)) ||
    (nodeIPs.has(ip) ? services.find((s) => s.ports.some((p) => p.nodePort === port)) : null) ||
    null
  );
}

function lastRule(hop) {
  const rules = hop.rules || [];
  return rules.length ? rules[rules.length - 1] : "";
}

function podShortName(name) {
  const s = String(name || "");
  const i = s.indexOf("/");
  return i >= 0 ? s.slice(i + 1) : s;
}

/**
 * What a trace says about the addresses on its way, read against the model:
 * {service, port, clusterIP, entry, lb, nodePort, rewrites, dnat, endpoint, client, hops}.
 * Every address is "ip:port"; every place that came from a hop carries its index (`hop`).
 */
export function traceFacts(trace, model) {
  const hops = (trace && trace.hops) || [];
  const entry = hops.length ? (hops[0].before || {}).dst || "" : String((trace && trace.destination) || "");
  const service = findService(model, trace || {}, entry);
  const nodes = modelNodes(model);
  const nodeByIP = new Map();
  for (const n of nodes) for (const ip of [n.internalIP, n.externalIP]) if (ip && !nodeByIP.has(ip)) nodeByIP.set(ip, n);

  const rewrites = [];
  let lb = null;
  let nodePort = null;
  hops.forEach((hop, i) => {
    const at = hop.at || {};
    const before = (hop.before || {}).dst || "";
    const after = (hop.after || hop.before || {}).dst || "";
    if (at.kind === "loadbalancer" && !lb) lb = { addr: before, hop: i, name: service ? service.name : "" };
    if (at.kind === "node" && !nodePort) {
      const { ip, port } = splitAddr(before);
      const node = nodeByIP.get(ip);
      if (node && (!at.name || node.name === at.name) && service && service.ports.some((p) => p.nodePort === port)) {
        nodePort = { addr: before, hop: i, node: node.name };
      }
    }
    if ((hop.changed || []).includes("dst") || (before && after && before !== after)) {
      rewrites.push({ hop: i, from: before, to: after, action: hop.action || "", rule: lastRule(hop), at });
    }
  });

  // The Service port the request used: by nodePort, by the address it was sent to, or by targetPort.
  let port = null;
  if (service) {
    const e = splitAddr(entry);
    const np = nodePort ? splitAddr(nodePort.addr).port : null;
    const ep = trace && trace.endpoint ? Number(trace.endpoint.port) : null;
    port =
      (np !== null && service.ports.find((p) => p.nodePort === np)) ||
      ((e.ip === service.clusterIP || service.lbIPs.includes(e.ip)) && service.ports.find((p) => p.port === e.port)) ||
      (ep !== null && service.ports.find((p) => Number(p.targetPort) === ep)) ||
      service.ports[0] ||
      null;
  }
  const clusterIP = service && port && service.clusterIP && !service.headless ? joinAddr(service.clusterIP, port.port) : null;

  let endpoint = null;
  const ep = trace && trace.endpoint;
  if (ep && ep.ip) {
    endpoint = {
      addr: joinAddr(ep.ip, ep.port),
      ip: ep.ip,
      port: Number(ep.port),
      pod: ep.pod ? `${ep.namespace || "default"}/${ep.pod}` : "",
      name: ep.pod || ep.ip,
      node: ep.node || "",
      hop: -1,
    };
    const deliver = hops.findIndex((h, i) => i > 0 && (h.at || {}).kind === "pod" && h.action === "deliver");
    endpoint.hop = deliver;
  }
  const dnat = [...rewrites].reverse().find((r) => r.at.kind !== "loadbalancer" && (!endpoint || r.to === endpoint.addr)) || null;

  const first = hops[0] || {};
  const src = splitAddr((first.before || {}).src || "");
  const client = { ip: (trace && trace.client && trace.client.ip) || src.ip, kind: (first.at || {}).kind || "client", name: (first.at || {}).name || "" };

  return { service, port, clusterIP, entry, lb, nodePort, rewrites, dnat, endpoint, client, hops, nodes };
}

/**
 * The book's hops for the same request, column by column, each with what really happened there:
 * {ok, reason?, mode, service, outcome, columns: [{role, book: {addr, name}, real: {addr, hop} | null,
 * via: {rule, action, hop} | null (the rewrite that led here), note}], dnat, addressedToClusterIP}.
 * role: client | lb | nodePort | clusterIP | pod | end. note: visited | skipped | addressed | ending.
 */
export function bookPath(trace, model) {
  const facts = traceFacts(trace, model);
  const mode = (trace && trace.mode) || ((model && model.settings && model.settings.proxyMode) || "iptables");
  const outcome = (trace && trace.outcome) || "delivered";
  const { service, clusterIP, lb, nodePort, endpoint, dnat, client, entry } = facts;
  if (!service) return { ok: false, reason: "noService", mode, outcome, columns: [] };
  if (!clusterIP) return { ok: false, reason: "noClusterIP", mode, outcome, columns: [], service: { key: service.key, name: service.name, type: service.type } };

  const viaFor = (addr) => {
    const r = facts.rewrites.find((w) => w.to === addr);
    return r ? { rule: r.rule, action: r.action, hop: r.hop, from: r.from } : null;
  };
  const clientName = client.kind === "client" ? "" : client.name;
  const columns = [{ role: "client", book: { addr: client.ip, name: clientName }, real: { addr: client.ip, hop: 0 }, via: null, note: "visited" }];
  if (lb) columns.push({ role: "lb", book: { addr: lb.addr, name: service.name }, real: { addr: lb.addr, hop: lb.hop }, via: null, note: "visited" });
  const npAddr = nodePort ? nodePort.addr : null;
  if (nodePort) {
    columns.push({ role: "nodePort", book: { addr: npAddr, name: nodePort.node }, real: { addr: npAddr, hop: nodePort.hop }, via: viaFor(npAddr), note: "visited" });
  }
  const addressedToClusterIP = entry === clusterIP;
  columns.push({
    role: "clusterIP",
    book: { addr: clusterIP, name: service.name },
    real: addressedToClusterIP ? { addr: clusterIP, hop: 0 } : null,
    via: null,
    note: addressedToClusterIP ? "addressed" : "skipped",
  });
  if (endpoint) {
    columns.push({
      role: "pod",
      book: { addr: endpoint.addr, name: endpoint.name },
      real: { addr: endpoint.addr, hop: endpoint.hop },
      via: dnat ? { rule: dnat.rule, action: dnat.action, hop: dnat.hop, from: dnat.from } : null,
      note: "visited",
    });
  } else {
    const last = facts.hops.length - 1;
    columns.push({ role: "end", book: { addr: "", name: "" }, real: { addr: "", hop: last }, via: null, note: "ending" });
  }
  return {
    ok: true,
    mode,
    outcome,
    reason: (trace && trace.reason) || "",
    service: { key: service.key, name: service.name, type: service.type },
    columns,
    dnat: dnat ? { rule: dnat.rule, action: dnat.action, hop: dnat.hop, from: dnat.from, to: dnat.to } : null,
    addressedToClusterIP,
  };
}

// --- DOM: the book view in the trace log ------------------------------------------------------------

const ROLE_KEYS = ["client", "lb", "nodePort", "clusterIP", "pod", "end"];
export const BOOK_ROLES = ROLE_KEYS;

/** An address that may wrap after its colon, never inside a number. */
function addrCode(address) {
  const a = String(address || "");
  const i = a.lastIndexOf(":");
  if (i < 0) return el("code", { class: "book-addr", text: a });
  return el("code", { class: "book-addr" }, a.slice(0, i + 1), el("wbr"), a.slice(i + 1));
}

function cell(cls, ...children) {
  return el("td", { class: "book-cell" }, el("div", { class: cls }, ...children));
}

export class BookView {
  /** els: {toggle, panel, list}; opts: {getModel, onSelectHop(trace, i)} */
  constructor({ toggle, panel, list }, { getModel, onSelectHop } = {}) {
    this.toggle = toggle;
    this.panel = panel;
    this.list = list;
    this.getModel = getModel || (() => null);
    this.onSelectHop = onSelectHop;
    this.trace = null;
    this.on = false;
    this.locked = false;
    this.last = null;
    if (toggle) toggle.addEventListener("click", () => this.setOn(!this.on));
  }

  setOn(on) {
    this.on = Boolean(on);
    // Lessons hear of it as they hear of the other views: "servicescope:view" "book" on #app.
    if (this.on && this.toggle && typeof CustomEvent !== "undefined") {
      this.toggle.dispatchEvent(new CustomEvent("servicescope:view", { detail: "book", bubbles: true }));
    }
    if (this.toggle) this.toggle.setAttribute("aria-pressed", this.on ? "true" : "false");
    if (this.panel) this.panel.hidden = !this.on;
    if (this.list) this.list.classList.toggle("book-hidden", this.on);
    const log = this.panel && this.panel.closest(".log");
    if (log) log.classList.toggle("book-on", this.on);
    this.render();
  }

  /** While a prediction is open the book would give the answers away: show a note instead. */
  setLocked(locked) {
    if (this.locked === Boolean(locked)) return;
    this.locked = Boolean(locked);
    this.render();
  }

  show(trace) {
    this.trace = trace;
    this.render();
  }

  render() {
    if (!this.on || !this.panel) return;
    const trace = this.trace;
    if (this.locked) {
      this.last = null;
      this.panel.replaceChildren(el("p", { class: "book-note" }, t("book.locked")));
      return;
    }
    if (!trace) {
      this.last = null;
      this.panel.replaceChildren(el("p", { class: "book-note" }, t("book.empty")));
      return;
    }
    const data = bookPath(trace, this.getModel());
    this.last = data;
    if (!data.ok) {
      this.panel.replaceChildren(el("p", { class: "book-note" }, t(`book.${data.reason}`, { reason: trace.reason || "" })));
      return;
    }
    // The client is the same in both lanes: it heads the table instead of taking a column.
    const client = data.columns.find((c) => c.role === "client");
    const cols = data.columns.filter((c) => c.role !== "client");
    const table = el(
      "table",
      { class: "book-table", "aria-label": t("book.tableLabel") },
      client ? el("caption", { class: "book-from" }, t("book.from", { client: client.book.name || client.book.addr })) : null,
      el("colgroup", {}, el("col", { class: "book-col-lane" }), ...cols.map((c) => el("col", { class: `book-col-${c.role}` }))),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("td", { class: "book-lane-name" }),
          ...cols.map((c) => el("th", { scope: "col", class: `book-role role-${c.role}` }, t(`book.role.${c.role}`))),
        ),
      ),
      el(
        "tbody",
        {},
        // Lane 1: the book.
        el(
          "tr",
          { class: "book-lane-book" },
          el("th", { scope: "row", class: "book-lane-name" }, t("book.laneBook")),
          ...cols.map((c) =>
            cell(
              `book-stop role-${c.role}`,
              el("span", { class: "book-arrow", "aria-hidden": "true", text: "→" }),
              c.role === "end"
                ? el("span", { class: "book-name" }, t("book.noPod"))
                : [addrCode(c.book.addr), c.book.name ? el("span", { class: "book-name", text: c.book.name }) : null],
            ),
          ),
        ),
        // Lane 2: this request, as traced.
        el(
          "tr",
          { class: "book-lane-real" },
          el("th", { scope: "row", class: "book-lane-name" }, t("book.laneReal"), " ", el("span", { class: "book-mode" }, `(${data.mode})`)),
          ...cols.map((c) => this._realCell(trace, data, c, 1)),
        ),
      ),
    );
    const why = el("p", { class: "book-why" }, el("strong", {}, t("book.whyTitle")), " ", t("book.why"));
    this.panel.replaceChildren(table, why);
  }

  _realCell(trace, data, c, i) {
    const hopButton = (hop, text) =>
      el("button", { type: "button", class: "book-hop", onclick: () => this.onSelectHop && this.onSelectHop(trace, hop) }, text);
    if (c.note === "skipped") {
      return cell(
        `book-stop book-skipped role-${c.role}`,
        el("span", { class: "book-arrow", "aria-hidden": "true", text: "┄" }),
        el("span", { class: "book-name" }, t("book.skipped")),
      );
    }
    if (c.note === "ending") {
      return cell(
        `book-stop book-ending role-${c.role}`,
        el("span", { class: "book-arrow", "aria-hidden": "true", text: "→" }),
        el("span", { class: `outcome outcome-${data.outcome}` }, t(`outcome.short.${data.outcome}`)),
        " ",
        c.real && c.real.hop >= 0 ? hopButton(c.real.hop, t("book.hop", { n: c.real.hop + 1 })) : null,
      );
    }
    const via = c.via;
    const dnat = c.role === "pod" && via;
    const parts = [];
    if (i > 0) parts.push(el("span", { class: "book-arrow", "aria-hidden": "true", text: dnat ? "⇢" : "→" }));
    // The hop to open: where the packet arrived, or for the pod the DNAT that sent it there.
    const hop = dnat ? via.hop : c.real.hop;
    const button = c.note !== "addressed" && hop >= 0 ? hopButton(hop, t("book.hop", { n: hop + 1 })) : null;
    parts.push(el("span", { class: "book-line" }, addrCode(c.real.addr), button ? " " : null, button));
    let note = "";
    if (c.note === "addressed") note = t("book.addressed");
    else if (c.role === "nodePort" && via) note = t("book.fromLb");
    if (dnat) parts.push(el("span", { class: "book-name" }, t("book.viaDnat")), el("code", { class: "book-rule", title: via.rule || via.action, text: via.rule || via.action }));
    if (note) parts.push(el("span", { class: "book-name" }, note));
    return cell(`book-stop role-${c.role}${c.role === "pod" && via ? " book-dnat" : ""}`, ...parts);
  }
}
