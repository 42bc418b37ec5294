/** Rate limiting for refreshes driven by main's pushed updates. */

/**
 * Calls fn at most once per `ms`: the first call runs at once, later ones within the window
 * collapse into one trailing call. cancel() drops a pending trailing call.
 */
export function throttle(fn: () => void, ms: number, timers: { set: (f: () => void, ms: number) => unknown; clear: (t: unknown) => void } = defaultTimers): { (): void; cancel(): void } {
  let last = -Infinity;
  let timer: unknown = null;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  const throttled = () => {
    if (timer !== null) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) run();
    else timer = timers.set(run, wait);
  };
  throttled.cancel = () => {
    if (timer !== null) timers.clear(timer);
    timer = null;
  };
  return throttled;
}

const defaultTimers = {
  set: (f: () => void, ms: number): unknown => setTimeout(f, ms),
  clear: (t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>),
};
