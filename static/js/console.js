// The Console tab: a prompt, the server runs the command (kubectl, curl, ls…) and answers with the
// text the real tool prints, appended here through textContent. ↑/↓ walk the command history.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { postJSON } from "./forms.js";

/** Shell-like history: ↑ goes back, ↓ forward, past the newest returns to what was being typed. */
export class History {
  constructor(limit = 100) {
    this.items = [];
    this.limit = limit;
    this.pos = 0;
    this.draft = "";
  }

  push(command) {
    if (command && this.items[this.items.length - 1] !== command) this.items.push(command);
    if (this.items.length > this.limit) this.items.shift();
    this.pos = this.items.length;
    this.draft = "";
  }

  prev(current) {
    if (this.pos === this.items.length) this.draft = current;
    if (this.pos > 0) this.pos -= 1;
    return this.items[this.pos] ?? current;
  }

  next() {
    if (this.pos < this.items.length) this.pos += 1;
    return this.pos === this.items.length ? this.draft : this.items[this.pos];
  }
}

export class ConsolePanel {
  /** els: {panel, form, input, output}; opts: {post, maxEntries} */
  constructor(els, { post = postJSON, maxEntries = 300 } = {}) {
    this.els = els;
    this.url = els.panel.dataset.consoleUrl;
    this.post = post;
    this.maxEntries = maxEntries;
    this.history = new History();
    this.busy = false;
    els.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.run(els.input.value);
    });
    els.input.addEventListener("keydown", (ev) => this._key(ev));
    this.note(t("console.welcome"));
  }

  _key(ev) {
    if (ev.key === "ArrowUp") this.els.input.value = this.history.prev(this.els.input.value);
    else if (ev.key === "ArrowDown") this.els.input.value = this.history.next();
    else return;
    ev.preventDefault();
    const end = this.els.input.value.length;
    this.els.input.setSelectionRange(end, end);
  }

  focus() {
    this.els.input.focus();
  }

  append(...nodes) {
    const out = this.els.output;
    out.append(...nodes);
    while (out.childNodes.length > this.maxEntries) out.firstChild.remove();
    out.scrollTop = out.scrollHeight;
  }

  note(text) {
    this.append(el("span", { class: "console-note", text: `${text}\n` }));
  }

  async run(raw) {
    const command = raw.trim();
    if (this.busy) return null;
    this.els.input.value = "";
    this.history.push(command);
    if (command === "clear") {
      this.els.output.replaceChildren();
      return null;
    }
    this.append(el("span", { class: "console-cmd", text: `$ ${command}\n` }));
    if (!command) return null;
    this.busy = true;
    this.els.panel.setAttribute("aria-busy", "true");
    const res = await this.post(this.url, { command });
    this.busy = false;
    this.els.panel.removeAttribute("aria-busy");
    const data = res.data || {};
    if (typeof data.output === "string") {
      if (data.output) this.append(el("span", { class: data.exit_code ? "console-err" : "console-out", text: data.output }));
    } else {
      const message = (data.non_field_errors || []).join(" ") || data.detail || t("forms.networkError");
      this.append(el("span", { class: "console-err", text: `${message}\n` }));
    }
    return res;
  }
}
