// The in-page half of bench/scan-to-check.ts. It is plain JavaScript in a string because tsx
// compiles the bench's own functions with a `__name` helper that the page does not have.
//
// `window.scanProbe.arm(spec)` starts watching the DOM for the end state of one scan, and
// `window.scanProbe.result()` returns a promise of its times, all in the page's clock
// (`performance.now()` and event timestamps, which share one time origin):
// - enterAt: the terminating Enter's `KeyboardEvent.timeStamp`, which Chromium sets when the
//   browser process creates the input event from the CDP command, so Node's CDP transport is not
//   part of what follows it;
// - handledAt: when the page's first keydown listener (on window, in the capture phase) ran for
//   that Enter;
// - domAt: when a MutationObserver callback first saw the expected end state;
// - frameAt: the next animation frame after domAt, when the browser starts to paint it.
// The result is null when the end state did not appear within `spec.timeoutMs`.

/** What ends one measurement: the chart confirmed for a wristband, a new check result, or the floor page's echo. */
export type ProbeSpec =
  | { kind: 'wristband'; mrn: string; timeoutMs: number }
  | { kind: 'check'; timeoutMs: number }
  | { kind: 'echo'; text: string; timeoutMs: number };

export interface ProbeTimes {
  enterAt: number;
  handledAt: number;
  domAt: number;
  frameAt: number;
  /** data-outcome of the check result, and the data-code of its problems, for `check` only. */
  outcome: string | null;
  problems: string[];
  /** The longest gap between two keydown timestamps of the burst, the gap the wedge detector judged. */
  maxKeyGap: number;
}

export const PROBE_SOURCE = String.raw`(() => {
  if (window.scanProbe) return;
  const probe = { enter: null, keyTimes: [], pending: Promise.resolve(null) };
  window.addEventListener('keydown', (event) => {
    probe.keyTimes.push(event.timeStamp);
    if (event.key === 'Enter') probe.enter = { at: event.timeStamp, handledAt: performance.now() };
  }, { capture: true });

  probe.arm = (spec) => {
    probe.enter = null;
    probe.keyTimes = [];
    const previousResult = document.querySelector('[data-testid="bcma-result"]');
    const textOf = (selector) => document.querySelector(selector)?.textContent ?? '';
    const endState = () => {
      if (spec.kind === 'wristband') {
        const confirmed = document.querySelector('[data-testid="bcma-wristband"][data-confirmed="true"]');
        return confirmed !== null && confirmed.textContent.includes(spec.mrn) && textOf('[data-testid="banner-mrn"]').includes(spec.mrn);
      }
      if (spec.kind === 'check') {
        const result = document.querySelector('[data-testid="bcma-result"]');
        return result !== null && result !== previousResult;
      }
      return textOf('#echo') === spec.text;
    };
    probe.pending = new Promise((resolve) => {
      let settled = false;
      const observer = new MutationObserver(() => {
        if (settled || probe.enter === null || !endState()) return;
        settled = true;
        const domAt = performance.now();
        const enter = probe.enter;
        observer.disconnect();
        clearTimeout(timer);
        const result = document.querySelector('[data-testid="bcma-result"]');
        const outcome = spec.kind === 'check' ? result?.getAttribute('data-outcome') ?? null : null;
        const problems = spec.kind === 'check' ? [...document.querySelectorAll('[data-testid="bcma-problem"]')].map((item) => item.getAttribute('data-code')) : [];
        const gaps = probe.keyTimes.slice(1).map((time, index) => time - probe.keyTimes[index]);
        const maxKeyGap = Math.max(0, ...gaps);
        requestAnimationFrame(() => resolve({ enterAt: enter.at, handledAt: enter.handledAt, domAt, frameAt: performance.now(), outcome, problems, maxKeyGap }));
      });
      observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
      const timer = setTimeout(() => {
        settled = true;
        observer.disconnect();
        resolve(null);
      }, spec.timeoutMs);
    });
    return true;
  };
  probe.result = () => probe.pending;
  window.scanProbe = probe;
})()`;

/**
 * The floor page: a plain text input whose Enter copies its text into an output element, with no
 * framework and no scan handling. The probe's `echo` spec waits for that copy.
 */
export const FLOOR_PAGE = `<!doctype html><meta charset="utf-8"><title>floor</title>
<input id="field" type="text" autocomplete="off"><output id="echo"></output>
<script>
  const field = document.getElementById('field');
  field.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') document.getElementById('echo').textContent = field.value;
  });
</script>`;
