// The side panels: tabs, inspector, tables, the request form, YAML and Console, the share link, and
// the figures beside the picture. They read the derived view; actions go through the page's API.

import { t } from "./i18n.js";
import { actionUrl } from "./state.js";
import { Tabs } from "./tabs.js";
import { Inspector } from "./inspector.js";
import { Tables } from "./tables.js";
import { RequestPanel } from "./request.js";
import { postAction, wireForms } from "./forms.js";
import { YamlPanel } from "./yaml.js";
import { ConsolePanel } from "./console.js";
import { ServiceEditor } from "./serviceedit.js";
import { el } from "./dom.js";

// The YAML and Console tabs widen the side panel to about 80 columns while they are open.
const TOOL_TABS = new Set(["yaml", "console"]);

export class Panels {
  /**
   * deps: {root, role, watchUrl, announce, getView, getSelection, select(ref), seekHop(trace, hop),
   *        send(body) -> response of the request form}
   */
  constructor(deps) {
    const $ = (id) => document.getElementById(id);
    const root = deps.root;
    this.deps = deps;
    this.role = deps.role;
    this.guidedOnce = false;
    this.summaryEl = $("canvas-summary");
    this.settingsEl = $("settings-current");

    this.tabs = new Tabs(root.querySelector('[role="tablist"]'), {
      onChange: (name) => {
        if (name === "tables") this.tables.render(deps.getView());
        root.classList.toggle("side-tools", TOOL_TABS.has(name));
        if (name === "yaml" && this.yaml) this.yaml.refresh();
        if (name === "console" && this.console) this.console.focus();
      },
    });
    const runAction = (action, params, label) => this.runAction(action, params, label);
    this.inspector = new Inspector($("inspector"), {
      role: this.role,
      onAction: runAction,
      onSeekHop: (trace, i) => deps.seekHop(trace, i, { showTab: false }),
      onSelect: (ref) => deps.select(ref),
    });
    const serviceEditor = new ServiceEditor(root.querySelector("#form-service"));
    this.inspector.onEditService = async (svc) => {
      const view = deps.getView();
      const url = actionUrl(view && view.actions ? view.actions.serviceEdit : "", { namespace: svc.namespace, name: svc.name });
      if (url && (await serviceEditor.start(url))) {
        this.tabs.select("create");
        const first = root.querySelector("#form-service [name='selector']");
        if (first) first.focus();
      } else deps.announce(t("action.unavailable"));
    };
    this.tables = new Tables($("tables"), { role: this.role, onAction: runAction, onSelect: (ref) => deps.select(ref) });

    this.request = $("request-form")
      ? new RequestPanel(
          {
            form: $("request-form"),
            source: $("req-source"),
            destination: $("req-destination"),
            free: $("req-free"),
            send1: $("req-send1"),
            send20: $("req-send20"),
            error: $("req-error"),
            tally: $("req-tally"),
            hint: $("req-hint"),
          },
          { send: deps.send },
        )
      : null;
    wireForms(root, { onMessage: deps.announce });

    this.yaml = $("panel-yaml")
      ? new YamlPanel(
          {
            panel: $("panel-yaml"),
            text: $("yaml-text"),
            book: $("yaml-book"),
            apply: $("yaml-apply"),
            exportAll: $("yaml-export-all"),
            exportSelected: $("yaml-export-selected"),
            selected: $("yaml-selected"),
            result: $("yaml-result"),
            bookData: document.getElementById("book-manifests"), // json_script's <script> tag
          },
          { getSelection: deps.getSelection },
        )
      : null;
    this.console = $("panel-console")
      ? new ConsolePanel({ panel: $("panel-console"), form: $("console-form"), input: $("console-input"), output: $("console-output") })
      : null;
    this._wireButtons($);
  }

  _wireButtons($) {
    const { root, announce } = this.deps;
    const sendShortcut = $("ctl-send");
    if (sendShortcut) {
      sendShortcut.addEventListener("click", () => {
        this.tabs.select("send");
        const d = $("req-destination");
        if (d) d.focus();
      });
    }
    const wide = $("toggle-wide");
    if (wide) {
      wide.addEventListener("click", () => {
        const on = root.classList.toggle("side-wide");
        wide.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    const watchInput = $("watch-url");
    if (watchInput && watchInput.value) watchInput.value = new URL(watchInput.value, window.location.href).href;
    const copy = $("copy-watch");
    if (copy) {
      copy.addEventListener("click", async () => {
        const url = new URL(copy.dataset.url || this.deps.watchUrl, window.location.href).href;
        try {
          await navigator.clipboard.writeText(url);
          announce(t("share.copied"));
        } catch {
          const input = $("watch-url");
          if (input) {
            input.focus();
            input.select();
          }
          announce(t("share.copyManually", { url }));
        }
      });
    }
  }

  /** The server said this page only watches: no actions any more. */
  setRole(role) {
    this.role = role;
    this.inspector.setRole(role);
    this.tables.setRole(role);
  }

  async runAction(action, params, label) {
    const view = this.deps.getView();
    const template = view && view.actions ? view.actions[action] : "";
    const url = actionUrl(template, params);
    if (!url || this.role !== "owner") {
      this.deps.announce(t("action.unavailable"));
      return;
    }
    const res = await postAction(url);
    if (res.ok) this.deps.announce(res.data.message || t("action.done", { action: label }));
    else {
      const errs = [...(res.data.non_field_errors || []), ...Object.values(res.data.errors || {}).flat(), res.data.detail].filter(Boolean);
      this.deps.announce(errs.join(" ") || t("forms.networkError"));
    }
  }

  /** A new view of the model: every panel that shows it follows. */
  update(view) {
    // An empty sandbox: the first step is a Deployment, so show that form first (once).
    if (!this.guidedOnce && view && !view.pods.length && !view.deployments.length) {
      this.guidedOnce = true;
      const wl = document.getElementById("form-workload");
      const block = wl && wl.closest("details");
      const svc = document.getElementById("form-service");
      const svcBlock = svc && svc.closest("details");
      if (block) {
        block.open = true;
        if (svcBlock && svcBlock !== block) svcBlock.open = false;
      }
    }
    if (this.request) this.request.update(view);
    if (this.tabs.current === "tables") this.tables.render(view);
    this.inspector.refresh(view);
    if (this.summaryEl && view) {
      this.summaryEl.textContent = t("canvas.summary", {
        nodes: view.nodes.length,
        pods: view.podCounts.total,
        ready: view.podCounts.ready,
        services: view.services.length,
        slices: view.slices.length,
      });
    }
    if (this.settingsEl && view) {
      const s = view.settings || {};
      const rows = [
        [t("settings.serviceCIDR"), s.serviceCIDR],
        [t("settings.nodePortRange"), s.nodePortRange],
        [t("settings.maxEndpointsPerSlice"), s.maxEndpointsPerSlice],
        [t("settings.proxyMode"), s.proxyMode],
        [t("settings.lbPool"), (s.lbPool || []).join(", ") || "—"],
      ].filter(([, v]) => v !== undefined && v !== null && v !== "");
      this.settingsEl.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, el("code", { text: String(v) }))]));
    }
  }
}
