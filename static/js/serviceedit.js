// Editing a Service in the Create tab's Service form: the server gives the form's values for the
// stored object (GET on the edit URL) and takes the changes (POST), through the same update path
// as kubectl, so immutable fields and allocation rules hold. "Cancel editing" returns the form to
// creating a new Service.

import { t } from "./i18n.js";
import { clearErrors } from "./forms.js";

export class ServiceEditor {
  constructor(form) {
    this.form = form;
    this.details = form ? form.closest("details") : null;
    this.summary = this.details ? this.details.querySelector("summary") : null;
    this.createAction = form ? form.getAttribute("action") : "";
    this.createTitle = this.summary ? this.summary.textContent : "";
    this.button = form ? form.querySelector('[type="submit"]') : null;
    this.createLabel = this.button ? this.button.textContent : "";
    this.cancel = null;
    if (form) form.addEventListener("form-ok", () => this.editing && this.stop());
  }

  get editing() {
    return Boolean(this.form && this.form.dataset.editing);
  }

  /** Load the Service's values into the form and point the form at its edit URL. */
  async start(url) {
    if (!this.form || !url) return false;
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const data = res.ok ? await res.json() : null;
    if (!data || !data.ok) return false;
    this.form.reset();
    clearErrors(this.form);
    for (const control of this.form.elements) {
      if (!control.name || control.type === "hidden" || control.type === "submit") continue;
      const value = data.initial[control.name];
      control.value = value === undefined || value === null ? "" : String(value);
    }
    for (const name of ["name", "namespace"]) {
      const control = this.form.elements.namedItem(name);
      if (control) control.readOnly = true;
    }
    this.form.setAttribute("action", data.action);
    this.form.dataset.editing = "true";
    if (this.summary) this.summary.textContent = data.title;
    if (this.button) this.button.textContent = t("edit.save");
    if (!this.cancel) {
      this.cancel = document.createElement("button");
      this.cancel.type = "button";
      this.cancel.className = "btn";
      this.cancel.textContent = t("edit.cancel");
      this.cancel.addEventListener("click", () => this.stop());
    }
    if (this.button) this.button.after(this.cancel);
    this.cancel.hidden = false;
    if (this.details) this.details.open = true;
    return true;
  }

  /** Back to creating a new Service. */
  stop() {
    if (!this.form) return;
    delete this.form.dataset.editing;
    this.form.setAttribute("action", this.createAction);
    for (const name of ["name", "namespace"]) {
      const control = this.form.elements.namedItem(name);
      if (control) control.readOnly = false;
    }
    this.form.reset();
    if (this.summary) this.summary.textContent = this.createTitle;
    if (this.button) this.button.textContent = this.createLabel;
    if (this.cancel) this.cancel.hidden = true;
  }
}
