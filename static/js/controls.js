// Playback controls and keyboard shortcuts. Every control is a real button or input, so it works
// with Tab + Enter/Space; the single-key shortcuts are listed in the page (and ignored while typing).

import { t } from "./i18n.js";
import { SPEEDS } from "./player.js";

function typing(target) {
  if (!target || !target.closest) return false;
  return Boolean(target.closest('input, textarea, select, [contenteditable="true"]'));
}

export function speedLabel(s) {
  return `${s}×`;
}

export class Controls {
  /** els: {back, play, forward, replay, speed, speedValue}; actions: {togglePause, step, replay, setSpeed, tab, clear} */
  constructor(els, actions) {
    this.els = els;
    this.actions = actions;
    els.back.addEventListener("click", () => actions.step(-1));
    els.forward.addEventListener("click", () => actions.step(1));
    els.play.addEventListener("click", () => actions.togglePause());
    els.replay.addEventListener("click", () => actions.replay());
    els.speed.addEventListener("input", () => actions.setSpeed(SPEEDS[Number(els.speed.value)] || 1));
    document.addEventListener("keydown", (ev) => this._key(ev));
  }

  setPaused(paused) {
    const b = this.els.play;
    b.setAttribute("aria-pressed", paused ? "true" : "false");
    b.querySelector(".btn-icon").textContent = paused ? "▶" : "❚❚";
    b.querySelector(".btn-label").textContent = paused ? t("ctl.resume") : t("ctl.pause");
  }

  setSpeed(s) {
    const i = SPEEDS.indexOf(s);
    if (i >= 0) this.els.speed.value = String(i);
    this.els.speed.setAttribute("aria-valuetext", speedLabel(s));
    this.els.speedValue.textContent = speedLabel(s);
  }

  setReplayable(on) {
    this.els.replay.disabled = !on;
    this.els.back.disabled = !on;
    this.els.forward.disabled = !on;
  }

  _key(ev) {
    if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || typing(ev.target)) return;
    const onButton = ev.target && ev.target.closest && ev.target.closest("button, a, summary, [role=tab]");
    const a = this.actions;
    switch (ev.key) {
      case " ":
        if (onButton || (ev.target && ev.target.id === "scene-canvas")) return; // Space activates buttons / selects on canvas
        a.togglePause();
        break;
      case "k":
      case "K":
        a.togglePause();
        break;
      case ".":
      case "l":
      case "L":
        a.step(1);
        break;
      case ",":
      case "j":
      case "J":
        a.step(-1);
        break;
      case "r":
      case "R":
        a.replay();
        break;
      case "+":
      case "=":
        a.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, Number(this.els.speed.value) + 1)]);
        break;
      case "-":
      case "_":
        a.setSpeed(SPEEDS[Math.max(0, Number(this.els.speed.value) - 1)]);
        break;
      case "1":
      case "2":
      case "3":
      case "4":
      case "5":
      case "6":
      case "7":
        a.tab(Number(ev.key) - 1);
        break;
      case "Escape":
        a.clear();
        return; // let Escape also close things natively
      default:
        return;
    }
    ev.preventDefault();
  }
}
