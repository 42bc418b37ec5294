/** A search loop's `beforeAsk` that holds its nth call until released, as the engine does on pause. */
export function pauseAt(n: number) {
  let calls = 0;
  let release: () => void = () => undefined;
  let reached: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (reached = resolve));
  return {
    beforeAsk: async () => {
      if (++calls !== n) return;
      const resumed = new Promise<void>((resolve) => (release = resolve));
      reached();
      await resumed;
    },
    /** Resolves once the nth step is waiting. */
    held,
    release: () => release(),
    calls: () => calls,
  };
}
