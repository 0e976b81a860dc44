// Form submission without a page reload. Errors are shown next to their field with the server's
// exact text (the apiserver's wording); the user's input stays. The page itself is updated by the
// websocket, never by the form response.

import { t } from "./i18n.js";

export function csrfToken(doc = document) {
  for (const part of (doc.cookie || "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === "csrftoken") return decodeURIComponent(v.join("="));
  }
  const input = doc.querySelector('input[name="csrfmiddlewaretoken"]');
  return input ? input.value : "";
}

async function readJSON(res) {
  const type = res.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      return await res.json();
    } catch {
      return null;
    }
  }
  return null;
}

/** POST a FormData; resolves {ok, status, data}. Never throws (network errors become ok: false). */
export async function postForm(url, formData, { fetchImpl = globalThis.fetch } = {}) {
  try {
    const res = await fetchImpl(url, {
      method: "POST",
      body: formData,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json", "X-Requested-With": "fetch" },
    });
    const data = (await readJSON(res)) || {};
    if (!res.ok && !data.errors && !data.non_field_errors && !data.detail) {
      data.non_field_errors = [t("forms.httpError", { status: res.status })];
    }
    return { ok: res.ok && data.ok !== false, status: res.status, data };
  } catch {
    return { ok: false, status: 0, data: { non_field_errors: [t("forms.networkError")] } };
  }
}

/** POST JSON to the API (same-origin session + CSRF). Resolves {ok, status, data}. */
export async function postJSON(url, body, { fetchImpl = globalThis.fetch } = {}) {
  try {
    const res = await fetchImpl(url, {
      method: "POST",
      body: JSON.stringify(body),
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    const data = (await readJSON(res)) || {};
    if (!res.ok && !data.detail) data.detail = t("forms.httpError", { status: res.status });
    return { ok: res.ok, status: res.status, data };
  } catch {
    return { ok: false, status: 0, data: { detail: t("forms.networkError") } };
  }
}

function formKey(form) {
  return form.dataset.form || form.id || "form";
}

function fieldControls(form, name) {
  return [...form.elements].filter((e) => e.name === name);
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  for (const e of form.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
  for (const e of form.querySelectorAll(".has-error")) e.classList.remove("has-error");
}

/** Put each message next to its field. Returns the first invalid control (to focus it). */
export function showErrors(form, errors = {}, nonField = []) {
  const key = formKey(form);
  let first = null;
  const general = [...(nonField || [])];
  for (const [name, messages] of Object.entries(errors || {})) {
    const text = (Array.isArray(messages) ? messages : [messages]).map((m) => (typeof m === "string" ? m : m.message || "")).join(" ");
    if (name === "__all__") {
      general.push(text);
      continue;
    }
    const slot = form.querySelector(`#${CSS.escape(`err-${key}-${name}`)}`);
    const controls = fieldControls(form, name);
    if (!slot) {
      general.push(`${name}: ${text}`);
      continue;
    }
    slot.textContent = text;
    const wrap = slot.closest(".field, td");
    if (wrap) wrap.classList.add("has-error");
    for (const c of controls) c.setAttribute("aria-invalid", "true");
    if (!first && controls[0]) first = controls[0];
  }
  const nf = form.querySelector(`#${CSS.escape(`err-${key}-__all__`)}`);
  if (nf) nf.textContent = general.join(" ");
  return first;
}

/** Link each control to its error slot and help text so screen readers read both. */
export function enhanceForm(form) {
  const key = formKey(form);
  // Several forms on one page share field names (name, namespace…), so Django's default ids
  // (id_name) collide. Make them unique per form and keep labels and help texts pointing right.
  for (const c of form.querySelectorAll("input[id], select[id], textarea[id]")) {
    const old = c.id;
    if (old.startsWith(`${key}-`)) continue;
    const id = `${key}-${old}`;
    const seen = document.querySelectorAll(`#${CSS.escape(old)}`).length;
    if (seen < 2 && !old.startsWith("id_")) continue;
    c.id = id;
    for (const label of form.querySelectorAll(`label[for="${CSS.escape(old)}"]`)) label.htmlFor = id;
    const help = form.querySelector(`#${CSS.escape(old + "_helptext")}`);
    if (help) help.id = `${id}_helptext`;
    const desc = (c.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean).map((d) => (d === `${old}_helptext` ? `${id}_helptext` : d));
    if (desc.length) c.setAttribute("aria-describedby", desc.join(" "));
  }
  for (const slot of form.querySelectorAll(".field-error")) {
    const prefix = `err-${key}-`;
    if (!slot.id.startsWith(prefix)) continue;
    const name = slot.id.slice(prefix.length);
    for (const c of fieldControls(form, name)) {
      const ids = new Set((c.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
      ids.add(slot.id);
      c.setAttribute("aria-describedby", [...ids].join(" "));
    }
  }
}

/** Submit one form through fetch. `onMessage(text)` gets the success message. */
export async function submitForm(form, { onMessage, post = postForm } = {}) {
  const button = form.querySelector('[type="submit"]');
  const ok = form.querySelector(".form-ok");
  form.setAttribute("aria-busy", "true");
  if (button) button.disabled = true;
  if (ok) ok.textContent = "";
  const res = await post(form.action, new FormData(form));
  form.removeAttribute("aria-busy");
  if (button) button.disabled = false;
  if (res.ok) {
    clearErrors(form);
    const message = res.data.message || t("forms.done");
    if (ok) ok.textContent = `✓ ${message}`;
    if (onMessage) onMessage(message);
    form.dispatchEvent(new CustomEvent("form-ok", { detail: res.data }));
  } else {
    clearErrors(form);
    const first = showErrors(form, res.data.errors, res.data.non_field_errors || (res.data.detail ? [res.data.detail] : []));
    if (first) first.focus();
  }
  return res;
}

export function wireForms(root, opts = {}) {
  for (const form of root.querySelectorAll("form[data-ajax]")) {
    enhanceForm(form);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitForm(form, opts);
    });
  }
}

/**
 * A per-object action (flip readiness, delete…): a small form POST to a server-given URL.
 * URL-encoded, not multipart: Daphne's Twisted answers a multipart body without parts (an action
 * with no fields) with a bare 400 before Django sees it.
 */
export async function postAction(url, fields = {}, { post = postForm } = {}) {
  return post(url, new URLSearchParams(fields));
}
