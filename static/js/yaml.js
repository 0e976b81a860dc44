// The YAML tab: paste or load manifests, apply them all in one write (or none), export the sandbox
// or the selected object into the editor. Results and errors are the server's kubectl texts, shown
// through textContent; the picture updates from the websocket, never from these answers.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { postJSON } from "./forms.js";

const CLUSTER_SCOPED = new Set(["Node", "Namespace"]);

/** The export URL of a selected object ({kind, key}), from the server's templates; "" if none. */
export function objectYamlUrl(ref, { objectUrl = "", clusterObjectUrl = "" } = {}) {
  if (!ref || !ref.kind || !ref.key) return "";
  const enc = encodeURIComponent;
  if (CLUSTER_SCOPED.has(ref.kind)) return clusterObjectUrl.replace("{kind}", enc(ref.kind)).replace("{name}", enc(ref.key));
  const [namespace, name] = ref.key.includes("/") ? ref.key.split("/", 2) : ["default", ref.key];
  return objectUrl.replace("{kind}", enc(ref.kind)).replace("{namespace}", enc(namespace)).replace("{name}", enc(name));
}

/** The character offset of a 1-based line and column in text (for "line 5, column 4" errors). */
export function offsetOf(text, line, column) {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

export class YamlPanel {
  /**
   * els: {panel, text, book, apply, exportAll, exportSelected, selected, result, bookData}
   * opts: {getSelection() -> ref|null, post, fetchImpl}
   */
  constructor(els, { getSelection = () => null, post = postJSON, fetchImpl = (...a) => globalThis.fetch(...a) } = {}) {
    this.els = els;
    this.getSelection = getSelection;
    this.post = post;
    this.fetch = fetchImpl;
    const data = els.panel.dataset;
    this.urls = { apply: data.applyUrl, exportAll: data.exportUrl, objectUrl: data.objectUrl, clusterObjectUrl: data.clusterObjectUrl };
    this.book = {};
    try {
      this.book = JSON.parse((els.bookData && els.bookData.textContent) || "{}");
    } catch {
      this.book = {};
    }
    els.apply.addEventListener("click", () => this.apply());
    els.exportAll.addEventListener("click", () => this.loadExport(this.urls.exportAll, t("yaml.theSandbox")));
    els.exportSelected.addEventListener("click", () => this.exportSelected());
    els.book.addEventListener("change", () => this.loadBook(els.book.value));
    this.refresh();
  }

  /** Update the "Export selected" hint from the current selection (called when the tab opens). */
  refresh() {
    const ref = this.getSelection();
    this.els.selected.textContent = ref ? t("yaml.selected", { what: `${ref.kind} ${ref.key}` }) : t("yaml.selectedNone");
  }

  loadBook(name) {
    if (!name || !(name in this.book)) return;
    this.els.text.value = this.book[name];
    this.showNote(t("yaml.loaded", { name }));
  }

  async exportSelected() {
    const ref = this.getSelection();
    const url = objectYamlUrl(ref, this.urls);
    if (!url) {
      this.showNote(t("yaml.noSelection"));
      return;
    }
    await this.loadExport(url, `${ref.kind} ${ref.key}`);
  }

  async loadExport(url, what) {
    try {
      const res = await this.fetch(url, { credentials: "same-origin", headers: { Accept: "application/yaml" } });
      if (!res.ok) {
        this.showError(t("yaml.exportFailed", { status: res.status }));
        return;
      }
      this.els.text.value = await res.text();
      this.showNote(t("yaml.exported", { what }));
    } catch {
      this.showError(t("forms.networkError"));
    }
  }

  async apply() {
    const text = this.els.text.value;
    if (!text.trim()) {
      this.showNote(t("yaml.empty"));
      this.els.text.focus();
      return null;
    }
    const button = this.els.apply;
    button.disabled = true;
    this.els.panel.setAttribute("aria-busy", "true");
    const res = await this.post(this.urls.apply, { yaml: text });
    button.disabled = false;
    this.els.panel.removeAttribute("aria-busy");
    if (res.ok && res.data && res.data.ok) {
      this.showResults(res.data.results || []); // the result box is a polite live region: no toast too
    } else {
      const message = (res.data && (res.data.error || (res.data.non_field_errors || []).join(" ") || res.data.detail)) || t("forms.networkError");
      this.showError(message);
      this.pointAt(message);
    }
    return res;
  }

  /** Put the caret where a YAML syntax error is (the message names line and column). */
  pointAt(message) {
    const m = /line (\d+), column (\d+)/.exec(message);
    if (!m) return;
    const offset = offsetOf(this.els.text.value, Number(m[1]), Number(m[2]));
    this.els.text.focus();
    this.els.text.setSelectionRange(offset, offset);
  }

  show(...nodes) {
    this.els.result.replaceChildren(...nodes);
    if (this.els.result.scrollIntoView) this.els.result.scrollIntoView({ block: "nearest" });
  }

  showResults(results) {
    const warnings = results.flatMap((r) => r.warnings || []);
    this.show(
      el("p", { class: "yaml-ok" }, el("span", { "aria-hidden": "true", text: "✓ " }), t("yaml.applied", { n: results.length })),
      ...warnings.map((w) => el("p", { class: "yaml-warning", text: w })),
      el("ul", {}, ...results.map((r) => el("li", { text: r.text }))),
    );
  }

  showError(text) {
    this.show(
      el("p", { class: "yaml-error-title" }, el("strong", { text: t("yaml.failed") })),
      el("pre", { class: "yaml-error", text }),
    );
  }

  showNote(text) {
    this.show(el("p", { class: "hint", text }));
  }
}
