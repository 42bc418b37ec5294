/**
 * Seeded pseudo-random numbers for everything the engine draws (data splits, synthetic data,
 * agents). mulberry32: tiny, fast, and its whole state is one 32-bit integer, so a checkpoint can
 * save and restore it exactly.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Fisher–Yates shuffle in place (an array or a typed array); returns the same array. */
  shuffle<A extends { length: number; [index: number]: unknown }>(items: A): A;
  /** The generator's whole state, for checkpoints. */
  state(): number;
}

export function createRng(seed: number, state?: number): Rng {
  let s = state ?? hashSeed(seed);
  const next = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    normal() {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    shuffle<A extends { length: number; [index: number]: unknown }>(items: A): A {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    state: () => s,
  };
}

/** Spreads small consecutive seeds (0, 1, 2…) over the state space. */
function hashSeed(seed: number): number {
  let h = (seed ^ 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
