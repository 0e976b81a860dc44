// The DOM contract between templates/visualizer/sandbox.html and static/js/main.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { shortName } from "../../static/js/request.js";
import { outcomeText } from "../../static/js/tracefmt.js";

const read = (p) => readFileSync(new URL(`../../${p}`, import.meta.url), "utf8");
const sandbox = read("templates/visualizer/sandbox.html");
const main = read("static/js/main.js");

test("every element id main.js looks up is in sandbox.html", () => {
  const ids = new Set([...main.matchAll(/\$\("([\w-]+)"\)/g)].map((m) => m[1]));
  assert.ok(ids.size > 20);
  const fromFormPartial = new Set(["form-workload", "form-service"]); // id="form-{{ key }}" in _form.html
  for (const id of ids) assert.ok(sandbox.includes(`id="${id}"`) || fromFormPartial.has(id), `#${id} missing from sandbox.html`);
});

test("#app carries the configuration main.js reads", () => {
  for (const attr of ['data-ws-url="{{ ws_url }}"', 'data-api-base="{{ api_base }}"', 'data-role="{{ role }}"']) assert.ok(sandbox.includes(attr), attr);
  assert.match(main, /dataset\.wsUrl/);
  assert.match(main, /dataset\.apiBase/);
});

test("templates load i18n and translate their text", () => {
  for (const p of ["templates/base.html", "templates/visualizer/landing.html", "templates/visualizer/sandbox.html"]) {
    assert.match(read(p), /\{% load static i18n %\}/, p);
  }
  const form = read("templates/visualizer/_form.html");
  assert.match(form, /\{% load i18n %\}/);
  assert.match(form, /id="err-\{\{ key \}\}-\{\{ field\.name \}\}"/);
  assert.match(form, /id="err-\{\{ key \}\}-__all__"/);
  // No visible English left outside translate tags in the sandbox page (a coarse check: text nodes).
  const text = sandbox
    .replace(/\{%[\s\S]*?%\}/g, " ")
    .replace(/\{\{[\s\S]*?\}\}/g, " ")
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<pre[\s\S]*?<\/pre>/g, " ")
    .replace(/<[^>]+>/g, "\n");
  const allowed = new Set(["Servicescope", "· Servicescope", "app-page", "Esc"]); // product name, a CSS class, a key cap
  const leftovers = text.split("\n").map((s) => s.trim()).filter((s) => /[A-Za-z]{3,}/.test(s) && !allowed.has(s));
  assert.deepEqual(leftovers, []);
});

test("viewer pages render no write controls", () => {
  // Everything that writes is inside {% if role == "owner" %} blocks.
  const ownerOnly = ["tab-create", "tab-send", "tab-settings", "panel-create", "panel-send", "panel-settings", "copy-watch", "ctl-send"];
  // Drop every {% if role == "owner" %} … {% endif %} region (if-blocks nest).
  let stripped = "";
  let depth = 0;
  let ownerDepth = -1;
  let last = 0;
  for (const m of sandbox.matchAll(/\{% (if|endif)\b[^%]*%\}/g)) {
    if (m[1] === "if") {
      if (ownerDepth < 0 && /role == "owner"/.test(m[0])) {
        stripped += sandbox.slice(last, m.index);
        ownerDepth = depth;
      }
      depth += 1;
    } else {
      depth -= 1;
      if (depth === ownerDepth) {
        ownerDepth = -1;
        last = m.index + m[0].length;
      }
    }
  }
  stripped += sandbox.slice(last);
  for (const id of ownerOnly) assert.ok(!stripped.includes(`id="${id}"`), id);
});

test("pod names keep their distinguishing end", () => {
  assert.equal(shortName("kubia-7d5b8f9c4-x2k9p"), "kubia-…5b8f9c4-x2k9p");
  assert.equal(shortName("short"), "short");
  assert.equal(outcomeText({ outcome: "delivered", endpoint: { pod: "p", ip: "1.2.3.4", port: 80 } }), "delivered to p (1.2.3.4:80)");
  assert.equal(outcomeText({ outcome: "dropped" }), "dropped: the client times out");
});
