// The inspector panel: one hop of a trace (packet before/after, rule chain, rule text, candidate
// pods and why each is or is not eligible), or one selected object (pod, service, slice, node…).

import { el, mark } from "./dom.js";
import { language, nodeStatus, t } from "./i18n.js";
import { candidateWhy, formatProbability, hopPlace, hopText, outcomeText, traceReason, traceTitle } from "./tracefmt.js";
import { portText } from "./state.js";

function yesNo(v) {
  return mark(v ? "yes" : "no", v ? t("common.yes") : t("common.no"));
}

function dl(pairs) {
  const d = el("dl", { class: "kv" });
  for (const [k, v] of pairs) {
    if (v === null || v === undefined || v === "") continue;
    d.append(el("dt", { text: k }), el("dd", {}, v));
  }
  return d;
}

function table(caption, headers, rows, cls = "") {
  return el(
    "table",
    { class: `data ${cls}` },
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows),
  );
}

function code(text) {
  return el("code", { text });
}

/** ip:port that may wrap before its port in a narrow panel (203.0.113.10: / 39000). */
function addr(text) {
  const s = String(text);
  const i = s.lastIndexOf(":");
  return i > 0 ? el("code", { class: "addr" }, s.slice(0, i + 1), el("wbr"), s.slice(i + 1)) : code(s);
}

export class Inspector {
  constructor(root, { role = "owner", onAction, onSeekHop, onSelect } = {}) {
    this.root = root;
    this.role = role;
    this.onAction = onAction;
    this.onSeekHop = onSeekHop;
    this.onSelect = onSelect;
    this.mode = "empty";
    this.current = null;
    this.showEmpty();
  }

  setRole(role) {
    this.role = role;
  }

  showEmpty() {
    this.mode = "empty";
    this.current = null;
    this.root.replaceChildren(
      el("h2", { class: "panel-title", text: t("inspector.title") }),
      el("p", { class: "empty-state", text: t("inspector.empty") }),
    );
  }

  // --- Hops ---------------------------------------------------------------------------------------

  showHop(trace, hopIndex) {
    this.mode = "hop";
    this.current = { trace, hopIndex };
    const hops = trace.hops || [];
    const hop = hops[hopIndex];
    if (!hop) return this.showEmpty();
    const before = hop.before || {};
    const after = hop.after || before;
    const changed = new Set(hop.changed || []);

    const nav = el(
      "div",
      { class: "hop-nav" },
      el("button", { type: "button", class: "btn", disabled: hopIndex <= 0, onclick: () => this.onSeekHop && this.onSeekHop(trace, hopIndex - 1) }, t("inspector.prevHop")),
      el("span", { class: "hop-count", text: t("inspector.hopOf", { n: hopIndex + 1, total: hops.length }) }),
      el("button", { type: "button", class: "btn", disabled: hopIndex >= hops.length - 1, onclick: () => this.onSeekHop && this.onSeekHop(trace, hopIndex + 1) }, t("inspector.nextHop")),
    );

    const packetRows = ["src", "dst", "proto"].map((f) => {
      const isChanged = changed.has(f);
      const b = before[f] ?? "";
      const a = after[f] ?? "";
      return el(
        "tr",
        { class: isChanged ? "changed" : "" },
        el("th", { scope: "row", text: f }),
        el("td", {}, addr(b)),
        el(
          "td",
          {},
          isChanged ? el("strong", {}, el("span", { "aria-hidden": "true", text: "→ " }), addr(a)) : addr(a),
          isChanged ? el("span", { class: "changed-tag", text: `◀ ${t("inspector.rewritten")}` }) : null,
        ),
      );
    });

    const parts = [
      el("h2", { class: "panel-title", text: t("inspector.hopTitle", { n: hopIndex + 1, place: hopPlace(hop) }) }),
      nav,
      el("p", { class: "trace-ref" }, traceTitle(trace), " — ", el("strong", { text: outcomeText(trace) })),
      hop.text ? el("p", { class: "hop-text", text: hopText(hop) }) : null,
      dl([
        [t("inspector.action"), code(hop.action || "")],
        [t("inspector.field"), hop.field ? code(hop.field) : null],
        [t("inspector.probability"), typeof hop.probability === "number" && hop.probability < 1 ? formatProbability(hop.probability) : null],
        [t("inspector.reason"), hopIndex === hops.length - 1 && trace.reason ? traceReason(trace) : null],
      ]),
      table(t("inspector.packet"), [t("inspector.fieldCol"), t("inspector.before"), t("inspector.after")], packetRows, "packet"),
    ];

    if (hop.rules && hop.rules.length) {
      parts.push(
        el("h3", { text: t("inspector.rules") }),
        el(
          "ol",
          { class: "rule-chain" },
          hop.rules.map((r, i) => el("li", {}, i ? el("span", { class: "arrow", "aria-hidden": "true", text: "→ " }) : null, code(r))),
        ),
      );
    }
    if (hop.rule_text) {
      parts.push(el("h3", { text: t("inspector.ruleText") }), el("pre", { class: "rule-text" }, el("code", { text: hop.rule_text })));
    }
    if (hop.candidates && hop.candidates.length) parts.push(this._candidates(hop));
    this.root.replaceChildren(...parts.filter(Boolean));
  }

  _candidates(hop) {
    const chosen = hop.chosen;
    const isChosen = (c, i) =>
      chosen !== null && chosen !== undefined && (chosen === i || chosen === c.pod || chosen === c.ip || chosen === `${c.ip}:${c.port}` || (typeof chosen === "object" && chosen && chosen.pod === c.pod));
    const rows = hop.candidates.map((c, i) => {
      const yes = isChosen(c, i);
      const conds = el(
        "span",
        { class: "conds" },
        mark(c.ready ? "yes" : "no", t("cond.ready")),
        " ",
        mark(c.serving ? "yes" : "no", t("cond.serving")),
        " ",
        mark(c.terminating ? "terminating" : "no", t("cond.terminating")),
      );
      return el(
        "tr",
        { class: `${yes ? "chosen" : ""} ${c.eligible ? "" : "ineligible"}` },
        el("td", {}, yes ? el("strong", {}, "▶ ", c.pod || "") : c.pod || "", el("br"), el("span", { class: "sub", text: c.node || "" })),
        el("td", {}, code(`${c.ip}:${c.port}`), c.slice ? el("span", { class: "sub" }, el("br"), c.slice) : null),
        el("td", {}, conds),
        el("td", { class: "num", text: typeof c.probability === "number" ? formatProbability(c.probability) : "–" }),
        el("td", {}, mark(c.eligible ? "yes" : "no", c.eligible ? t("inspector.eligible") : t("inspector.notEligible")), c.why ? el("span", { class: "sub" }, el("br"), candidateWhy(c)) : null),
      );
    });
    return el(
      "div",
      { class: "table-scroll" },
      this._candidateGroups(hop),
      table(t("inspector.candidates"), [t("inspector.colPod"), t("inspector.colEndpoint"), t("inspector.colConditions"), t("inspector.colP"), t("inspector.colEligible")], rows, "candidates"),
    );
  }

  // A Service with more endpoints than the hop lists: how many, and every one of them by reason
  // (above the table, so the total is read first).
  _candidateGroups(hop) {
    const total = hop.candidates_total || 0;
    if (total <= hop.candidates.length || !(hop.candidate_groups || []).length) return null;
    const count = (n) => n.toLocaleString(language());
    return el(
      "div",
      { class: "candidate-groups" },
      el("p", { class: "sub", text: t("inspector.candidatesListed", { shown: count(hop.candidates.length), total: count(total) }) }),
      el(
        "ul",
        {},
        hop.candidate_groups.map((g) =>
          el("li", { class: g.eligible ? "" : "ineligible" }, el("strong", { class: "num", text: count(g.count) }), " ", mark(g.eligible ? "yes" : "no", g.eligible ? t("inspector.eligible") : t("inspector.notEligible")), " — ", candidateWhy(g)),
        ),
      ),
    );
  }

  // --- Objects ------------------------------------------------------------------------------------

  showObject(ref, view) {
    this.mode = "object";
    this.current = { ref, sig: this._signature(ref, view) };
    if (!view || !ref) return this.showEmpty();
    let body = null;
    switch (ref.kind) {
      case "Pod":
        body = this._pod(view.podByKey.get(ref.key), view);
        break;
      case "Service":
        body = this._service(view.serviceByKey.get(ref.key), view);
        break;
      case "EndpointSlice":
        body = this._slice(view.slices.find((s) => s.key === ref.key) || view.orphanSlices.find((s) => s.key === ref.key), view);
        break;
      case "Endpoints": {
        const svc = view.services.find((s) => s.endpoints && s.endpoints.key === ref.key);
        body = this._endpoints(svc && svc.endpoints);
        break;
      }
      case "Node":
        body = this._node(view.nodeByName.get(ref.key), view);
        break;
      case "Client":
        body = [el("h2", { class: "panel-title", text: t("canvas.client") }), el("p", { text: t("inspector.clientHelp") })];
        break;
      default:
        body = null;
    }
    if (!body) {
      this.root.replaceChildren(el("h2", { class: "panel-title", text: t("inspector.title") }), el("p", { class: "empty-state", text: t("inspector.gone", { name: ref.key }) }));
      return;
    }
    this.root.replaceChildren(...body.filter(Boolean));
  }

  /** Re-render the selected object after a model change, only if what it shows changed. */
  refresh(view) {
    if (this.mode !== "object" || !this.current) return;
    const sig = this._signature(this.current.ref, view);
    if (sig === this.current.sig) return;
    this.showObject(this.current.ref, view);
    this.current.sig = sig;
  }

  _signature(ref, view) {
    if (!view) return "";
    const pick = {
      Pod: () => view.podByKey.get(ref.key),
      Service: () => view.serviceByKey.get(ref.key),
      EndpointSlice: () => view.slices.find((s) => s.key === ref.key),
      Endpoints: () => (view.services.find((s) => s.endpoints && s.endpoints.key === ref.key) || {}).endpoints,
      Node: () => view.nodeByName.get(ref.key),
    }[ref.kind];
    const obj = pick ? pick() : null;
    if (ref.kind === "Pod" && obj) {
      // What the pod panel shows depends on the services and slices too.
      return JSON.stringify([obj, view.services.map((s) => [s.key, s.selectedPods.includes(obj.key)]), view.slices.map((s) => s.endpoints.filter((e) => e.pod === obj.key))]);
    }
    return obj ? JSON.stringify(obj) : "gone";
  }

  _actionButton(action, params, label, danger = false) {
    if (this.role !== "owner") return null;
    return el("button", { type: "button", class: `btn ${danger ? "btn-danger" : ""}`, onclick: () => this.onAction && this.onAction(action, params, label) }, label);
  }

  _pod(pod, view) {
    if (!pod) return null;
    const services = view.services.filter((s) => s.selectedPods.includes(pod.key));
    const inSlices = [];
    for (const s of view.slices) for (const e of s.endpoints) if (e.pod === pod.key) inSlices.push([s, e]);
    return [
      el("h2", { class: "panel-title" }, t("kind.Pod"), " ", el("code", { text: pod.name })),
      dl([
        [t("obj.namespace"), pod.namespace],
        [t("obj.state"), mark(pod.state, t(`state.${pod.state}`))],
        [t("obj.phase"), pod.phase],
        [t("obj.podIP"), pod.ip ? code(pod.ip) : "—"],
        [t("kind.Node"), pod.node || t("obj.unscheduled")],
        [t("obj.labels"), code(Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(", ") || "—")],
        [t("obj.ports"), pod.ports.map((p) => `${p.name ? p.name + " " : ""}${p.containerPort}/${p.protocol}`).join(", ") || "—"],
        [t("obj.selectedBy"), services.map((s) => s.name).join(", ") || t("obj.noService")],
        [t("obj.inSlices"), inSlices.map(([s, e]) => `${s.name} (${e.ready ? "ready" : "not ready"}${e.terminating ? ", terminating" : ""})`).join("; ") || "—"],
      ]),
      el(
        "div",
        { class: "actions" },
        this._actionButton("podReadiness", { namespace: pod.namespace, name: pod.name }, pod.ready ? t("action.makeNotReady") : t("action.makeReady")),
        this._actionButton("podDelete", { namespace: pod.namespace, name: pod.name }, t("action.deletePod"), true),
      ),
    ];
  }

  _service(svc, view) {
    if (!svc) return null;
    const ports = svc.ports.map((p) =>
      el("tr", {}, el("td", { text: p.name || "—" }), el("td", {}, code(portText(p))), el("td", {}, code(String(p.targetPort))), el("td", {}, code(p.nodePort ? String(p.nodePort) : "—"))),
    );
    return [
      el("h2", { class: "panel-title" }, t("kind.Service"), " ", el("code", { text: svc.name })),
      dl([
        [t("obj.namespace"), svc.namespace],
        [t("obj.type"), svc.type],
        [t("obj.clusterIP"), code(svc.clusterIP || "—")],
        [t("obj.externalIP"), svc.type === "LoadBalancer" ? code(svc.lbPending ? "<pending>" : svc.lbIPs.join(", ")) : null],
        [t("obj.selector"), code(svc.selectorText || "—")],
        [t("obj.sessionAffinity"), svc.sessionAffinity],
        [t("obj.etp"), svc.externalTrafficPolicy || null],
        [t("obj.itp"), svc.internalTrafficPolicy],
        [t("obj.dns"), code(svc.dns)],
        [t("obj.selectedPods"), String(svc.selectedPods.length)],
      ]),
      table(t("obj.ports"), [t("obj.portName"), t("obj.port"), t("obj.targetPort"), t("obj.nodePort")], ports),
      el("h3", { text: t("kind.Endpoints") }),
      svc.endpoints
        ? el("p", { text: t("obj.endpointsSummary", { ready: svc.endpoints.ready.length, notReady: svc.endpoints.notReady.length }) })
        : el("p", { class: "empty-state", text: t("canvas.endpointsNone") }),
      el("h3", { text: t("kind.EndpointSlice") }),
      svc.slices.length
        ? el(
            "ul",
            { class: "plain" },
            svc.slices.map((s) =>
              el("li", {}, el("button", { type: "button", class: "linkish", onclick: () => this.onSelect && this.onSelect({ kind: "EndpointSlice", key: s.key }) }, s.name), ` · ${t("canvas.endpointsCount", { n: s.counts.total })}`),
            ),
          )
        : el("p", { class: "empty-state", text: t("canvas.noSlices") }),
      el("div", { class: "actions" },
        this.role === "owner" && this.onEditService
          ? el("button", { type: "button", class: "btn", onclick: () => this.onEditService(svc) }, t("action.editService"))
          : null,
        this._actionButton("serviceDelete", { namespace: svc.namespace, name: svc.name }, t("action.deleteService"), true)),
    ];
  }

  _endpoints(ep) {
    if (!ep) return null;
    const rows = [...ep.ready, ...ep.notReady].map((a) =>
      el("tr", {}, el("td", {}, code(a.ip)), el("td", { text: a.ports.join(", ") }), el("td", {}, mark(a.ready ? "ready" : "notready", a.ready ? t("state.ready") : t("state.notready"))), el("td", { text: a.pod || "—" }), el("td", { text: a.node || "—" })),
    );
    return [
      el("h2", { class: "panel-title" }, t("kind.Endpoints"), " ", el("code", { text: ep.name })),
      el("p", { class: "hint", text: t("obj.endpointsHelp") }),
      el("div", { class: "table-scroll" }, table(t("obj.addresses"), [t("obj.ip"), t("obj.ports"), t("obj.state"), t("kind.Pod"), t("kind.Node")], rows)),
    ];
  }

  _slice(sl, view) {
    if (!sl) return null;
    const max = Number((view && view.settings && view.settings.maxEndpointsPerSlice) || 100);
    const rows = sl.endpoints.map((e) =>
      el(
        "tr",
        {},
        el("td", {}, code(e.ip)),
        el("td", {}, mark(e.ready ? "yes" : "no", t("cond.ready")), " ", mark(e.serving ? "yes" : "no", t("cond.serving")), " ", mark(e.terminating ? "terminating" : "no", t("cond.terminating"))),
        el("td", { text: e.node || "—" }),
        el("td", { text: e.pod ? e.pod.split("/").pop() : "—" }),
      ),
    );
    return [
      el("h2", { class: "panel-title" }, t("kind.EndpointSlice"), " ", el("code", { text: sl.name })),
      dl([
        [t("kind.Service"), sl.service],
        [t("obj.addressType"), sl.addressType],
        [t("obj.ports"), sl.ports.map((p) => `${p.name ? p.name + " " : ""}${p.port}/${p.protocol}`).join(", ") || "—"],
        [t("obj.endpointCount"), t("obj.sliceCounts", { total: sl.counts.total, ready: sl.counts.ready })],
        [t("obj.sliceFill"), t("obj.sliceFillValue", { total: sl.counts.total, max })],
      ]),
      el("p", { class: "hint", text: t("obj.slicePacking", { max }) }),
      el("div", { class: "table-scroll" }, table(t("obj.endpoints"), [t("obj.ip"), t("obj.conditions"), t("kind.Node"), t("kind.Pod")], rows)),
    ];
  }

  _node(node, view) {
    if (!node) return null;
    return [
      el("h2", { class: "panel-title" }, t("kind.Node"), " ", el("code", { text: node.name })),
      dl([
        [t("obj.state"), mark(node.ready ? "ready" : "notready", nodeStatus(node))],
        [t("obj.internalIP"), code(node.internalIP || "—")],
        [t("obj.externalIP"), code(node.externalIP || "—")],
        [t("obj.zone"), node.zone || "—"],
        [t("obj.podCIDR"), code(node.podCIDR || "—")],
        [t("obj.pods"), t("obj.podCounts", { total: node.counts.total, ready: node.counts.ready })],
        [t("obj.nodePorts"), view.nodePorts.map((p) => `${p.nodePort} (${p.name})`).join(", ") || "—"],
      ]),
      view.nodePorts.length ? el("p", { class: "hint", text: t("obj.nodePortsHelp") }) : null,
      el("div", { class: "actions" }, this._actionButton("nodeDelete", { name: node.name }, t("action.removeNode"), true)),
    ];
  }
}
