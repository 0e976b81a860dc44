// Tiny DOM builder. Text always goes in through textContent / text nodes, never innerHTML.

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = String(v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** A check/cross/hourglass mark followed by words, so state never depends on colour alone. */
export function mark(state, words) {
  const glyph = { ready: "✓", notready: "✗", terminating: "◌", pending: "◷", yes: "✓", no: "✗" }[state] || "•";
  return el("span", { class: `mark mark-${state}` }, el("span", { "aria-hidden": "true", text: glyph + " " }), words);
}
