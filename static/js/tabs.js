// WAI-ARIA tabs for the side panel: click, or arrow keys / Home / End inside the tab list.

export class Tabs {
  constructor(tablist, { onChange } = {}) {
    this.tablist = tablist;
    this.onChange = onChange;
    this.tabs = [...tablist.querySelectorAll('[role="tab"]')];
    for (const tab of this.tabs) {
      tab.addEventListener("click", () => this.select(tab.dataset.tab, { focus: false }));
      tab.addEventListener("keydown", (ev) => this._key(ev, tab));
    }
    const initial = this.tabs.find((b) => b.getAttribute("aria-selected") === "true") || this.tabs[0];
    if (initial) this.select(initial.dataset.tab, { focus: false, silent: true });
  }

  get current() {
    const tab = this.tabs.find((b) => b.getAttribute("aria-selected") === "true");
    return tab ? tab.dataset.tab : null;
  }

  has(name) {
    return this.tabs.some((b) => b.dataset.tab === name);
  }

  select(name, { focus = false, silent = false } = {}) {
    const tab = this.tabs.find((b) => b.dataset.tab === name);
    if (!tab) return false;
    for (const b of this.tabs) {
      const on = b === tab;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(b.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    }
    if (focus) tab.focus();
    if (!silent && this.onChange) this.onChange(name);
    return true;
  }

  _key(ev, tab) {
    const i = this.tabs.indexOf(tab);
    let j = null;
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") j = (i + 1) % this.tabs.length;
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") j = (i - 1 + this.tabs.length) % this.tabs.length;
    else if (ev.key === "Home") j = 0;
    else if (ev.key === "End") j = this.tabs.length - 1;
    if (j === null) return;
    ev.preventDefault();
    this.select(this.tabs[j].dataset.tab, { focus: true });
  }
}
