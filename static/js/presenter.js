// Presenter view for a projector (1280×720, 1024×768): the picture and the trace log only, in
// large type. On with ?present=1, the "Present" button or the P key; the side panels are hidden.
// While it is on, a presenter clicker's PageUp / PageDown and the arrow keys step a hop back /
// forward (the page's other keys stay as they are).

const TYPING = /^(INPUT|TEXTAREA|SELECT)$/;

export function isPresenting(root) {
  return Boolean(root && root.classList.contains("presenting"));
}

export function setPresenting(root, on, { button = null, updateUrl = true } = {}) {
  root.classList.toggle("presenting", on);
  if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
  if (updateUrl && window.history && window.history.replaceState) {
    const url = new URL(window.location.href);
    if (on) url.searchParams.set("present", "1");
    else url.searchParams.delete("present");
    window.history.replaceState(window.history.state, "", url);
  }
  root.dispatchEvent(new CustomEvent("servicescope:present", { detail: { on } }));
}

/** Which playback button a key presses in the presenter view (null: none). */
export function presenterKey(key) {
  if (key === "PageDown" || key === "ArrowRight" || key === "ArrowDown") return "forward";
  if (key === "PageUp" || key === "ArrowLeft" || key === "ArrowUp") return "back";
  return null;
}

export function wirePresenter(root, doc = document) {
  const button = doc.getElementById("toggle-present");
  const press = (id) => {
    const b = doc.getElementById(id);
    if (b && !b.disabled) b.click();
  };
  const toggle = () => setPresenting(root, !isPresenting(root), { button });
  if (button) {
    button.hidden = false; // pages without this module keep it hidden
    button.addEventListener("click", toggle);
  }
  doc.addEventListener(
    "keydown",
    (ev) => {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      const target = ev.target;
      if (target && (TYPING.test(target.tagName || "") || target.isContentEditable)) return;
      if ((ev.key === "p" || ev.key === "P") && !(target && target.closest && target.closest("dialog"))) {
        ev.preventDefault();
        toggle();
        return;
      }
      if (!isPresenting(root)) return;
      const which = presenterKey(ev.key);
      if (!which) return;
      // The arrows keep moving between objects while the picture itself has the focus.
      if (ev.key.startsWith("Arrow") && target && target.id === "scene-canvas") return;
      ev.preventDefault();
      ev.stopPropagation();
      press(which === "forward" ? "ctl-forward" : "ctl-back");
    },
    true,
  );
  const params = new URLSearchParams(window.location.search);
  if (params.get("present") === "1") setPresenting(root, true, { button, updateUrl: false });
}

const rootEl = typeof document !== "undefined" ? document.getElementById("app") : null;
if (rootEl) wirePresenter(rootEl);
