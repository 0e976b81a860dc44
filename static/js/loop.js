// Fixed-time-step animation loop (the MainLoop.js shape: update in fixed steps, draw once per
// frame, panic when too far behind). It sleeps when nothing moves, stops while the tab is hidden,
// and publishes its figures for benchmarks and tests.

export function createLoop({ update, draw, wantsFrame, step = 1000 / 60, maxSteps = 10, stats = {}, env = {} }) {
  const win = env.window || globalThis.window;
  const doc = env.document || globalThis.document;
  const now = env.now || (() => globalThis.performance.now());
  Object.assign(stats, { fps: 0, frames: 0, idle: true, hidden: Boolean(doc && doc.hidden), panics: 0, lastDrawMs: 0, step });
  let scheduled = false;
  let last = null;
  let acc = 0;
  let windowFrames = 0;
  let windowStart = null;

  function schedule() {
    if (scheduled || (doc && doc.hidden)) return;
    scheduled = true;
    stats.idle = false;
    win.requestAnimationFrame(frame);
  }

  function frame(ts) {
    scheduled = false;
    if (doc && doc.hidden) {
      stats.hidden = true;
      last = null;
      return;
    }
    if (last === null) last = ts - step;
    let dt = ts - last;
    last = ts;
    if (dt > 250) dt = step; // back from a stall: do not fast-forward through it
    acc += dt;
    let n = 0;
    while (acc >= step) {
      update(step);
      acc -= step;
      if (++n >= maxSteps) {
        acc = 0; // panic: drop the backlog instead of spiralling
        stats.panics += 1;
        break;
      }
    }
    const t0 = now();
    draw(acc);
    stats.lastDrawMs = now() - t0;
    stats.frames += 1;
    windowFrames += 1;
    if (windowStart === null) windowStart = ts;
    else if (ts - windowStart >= 1000) {
      stats.fps = Math.round((windowFrames * 10000) / (ts - windowStart)) / 10;
      windowFrames = 0;
      windowStart = ts;
    }
    if (wantsFrame()) schedule();
    else {
      stats.idle = true;
      last = null;
      acc = 0;
      windowStart = null;
      windowFrames = 0;
    }
  }

  function onVisibility() {
    stats.hidden = Boolean(doc.hidden);
    if (!doc.hidden) {
      last = null;
      schedule();
    }
  }
  if (doc) doc.addEventListener("visibilitychange", onVisibility);

  return {
    stats,
    /** Something changed: draw at least one frame, keep going while wantsFrame(). */
    wake: schedule,
    destroy() {
      if (doc) doc.removeEventListener("visibilitychange", onVisibility);
    },
  };
}
