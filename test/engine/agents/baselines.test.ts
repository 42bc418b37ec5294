import { describe, expect, it } from 'vitest';
import { RegularizedEvolution } from '../../../src/engine/agents/evolution';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import type { SearchAgent } from '../../../src/engine/agents/agent';
import { loadNb201, NB201_NVEC, resolveNb201Dir } from '../../../src/engine/evaluators/nb201';
import { nb201Search } from '../../../src/engine/search/nb201-search';

/** A cheap deterministic objective so the strategy tests need no data: more 3s is better. */
const toy = (a: number[]) => a.filter((x) => x === 3).length + a[0] / 10;

/** Asks `n` candidates, telling each its toy signal. */
async function drive(s: SearchAgent, n: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const { action } = await s.ask(i, []);
    out.push(action);
    await tellToy(s, i, action);
  }
  return out;
}

const tellToy = (s: SearchAgent, index: number, action: number[]) => s.tell(index, { action, status: 'completed', signal: toy(action), reward: toy(action) });

const hasData = (() => {
  try {
    resolveNb201Dir();
    return true;
  } catch {
    return false;
  }
})();

describe('RandomSearch', () => {
  it('draws in range, uniformly per slot, and repeats exactly for the same seed', async () => {
    const nvec = [2, 3, 7, 1];
    const a = await drive(new RandomSearch(nvec, 5), 4000);
    expect(await drive(new RandomSearch(nvec, 5), 4000)).toEqual(a);
    expect(await drive(new RandomSearch(nvec, 6), 50)).not.toEqual(a.slice(0, 50));
    for (const x of a) x.forEach((v, i) => expect(v >= 0 && v < nvec[i] && Number.isInteger(v)).toBe(true));
    const counts = Array.from({ length: 7 }, (_, v) => a.filter((x) => x[2] === v).length);
    for (const c of counts) expect(Math.abs(c - 4000 / 7)).toBeLessThan(100);
  });

  it('continues identically after checkpoint → JSON → restore', async () => {
    const s = new RandomSearch(NB201_NVEC, 3);
    await drive(s, 17);
    const restored = RandomSearch.restore(JSON.parse(JSON.stringify(s.checkpoint())));
    expect(await drive(restored, 30)).toEqual(await drive(s, 30));
    expect(() => RandomSearch.restore({ kind: 'random' })).toThrow();
  });
});

describe('RegularizedEvolution', () => {
  it('repeats exactly for the same seed and differs for another', async () => {
    const a = await drive(new RegularizedEvolution(NB201_NVEC, { seed: 11 }), 200);
    expect(await drive(new RegularizedEvolution(NB201_NVEC, { seed: 11 }), 200)).toEqual(a);
    expect(await drive(new RegularizedEvolution(NB201_NVEC, { seed: 12 }), 200)).not.toEqual(a);
  });

  it('mutation changes exactly one slot to a different in-range value', () => {
    const nvec = [5, 1, 2, 5, 3];
    const s = new RegularizedEvolution(nvec, { seed: 1 });
    const slotsHit = new Set<number>();
    for (let k = 0; k < 3000; k++) {
      const parent = nvec.map((n, i) => (k * (i + 1)) % n);
      const child = s.mutate(parent);
      const changed = child.flatMap((v, i) => (v !== parent[i] ? [i] : []));
      expect(changed).toHaveLength(1);
      slotsHit.add(changed[0]);
      expect(child[changed[0]]).toBeLessThan(nvec[changed[0]]);
      expect(child[changed[0]]).toBeGreaterThanOrEqual(0);
    }
    // Slot 1 has a single choice and can never change; all the others do.
    expect([...slotsHit].sort()).toEqual([0, 2, 3, 4]);
  });

  it('asks random candidates first, then children one mutation away from a population member', async () => {
    const s = new RegularizedEvolution(NB201_NVEC, { population: 10, sampleSize: 3, seed: 4 });
    await drive(s, 10);
    expect(s.members()).toHaveLength(10);
    for (let i = 0; i < 100; i++) {
      const before = s.members();
      const { action: child } = await s.ask();
      const distances = before.map((m) => m.action.filter((v, j) => v !== child[j]).length);
      expect(distances).toContain(1);
      await tellToy(s, 10 + i, child);
      // Ageing: the oldest member leaves, the child joins at the young end.
      const after = s.members();
      expect(after).toHaveLength(10);
      expect(after.slice(0, 9)).toEqual(before.slice(1));
      expect(after[9]).toEqual({ action: child, signal: toy(child) });
    }
    expect(s.checkpoint().history).toHaveLength(110);
  });

  it('falls back to random when asked past the warm-up with nothing told', async () => {
    const s = new RegularizedEvolution([3, 3], { population: 2, seed: 0 });
    for (let i = 0; i < 5; i++) expect((await s.ask()).action.length).toBe(2);
  });

  it('continues identically after checkpoint → JSON → restore (mid warm-up and mid evolution)', async () => {
    for (const at of [4, 37]) {
      const s = new RegularizedEvolution(NB201_NVEC, { seed: 9 });
      await drive(s, at);
      const restored = RegularizedEvolution.restore(JSON.parse(JSON.stringify(s.checkpoint())));
      expect(restored.checkpoint()).toEqual(s.checkpoint());
      expect(await drive(restored, 60)).toEqual(await drive(s, 60));
      expect(restored.checkpoint()).toEqual(s.checkpoint());
    }
    expect(() => RegularizedEvolution.restore({ kind: 'evolution', nvec: [2] })).toThrow();
  });

  it('improves on the toy objective', async () => {
    let evo = 0;
    let rnd = 0;
    for (let seed = 0; seed < 20; seed++) {
      evo += Math.max(...(await drive(new RegularizedEvolution(NB201_NVEC, { seed }), 60)).map(toy));
      rnd += Math.max(...(await drive(new RandomSearch(NB201_NVEC, seed), 60)).map(toy));
    }
    expect(evo).toBeGreaterThan(rnd);
  });
});

// 200 seeds, not 30: over seeds 0–29 alone the gap happens to be only 0.01 points (over other
// blocks of 30 it is 0.2–0.3), so 30 seeds would pass or fail by luck. Over 200 seeds every block of
// 0–999 gives random 93.73–93.78 and evolution 93.91–93.98. The whole test takes ~0.2 s.
describe.skipIf(!hasData)('baselines on NAS-Bench-201 (CIFAR-10, budget 100, seeds 0–199)', () => {
  it('evolution beats random search on mean 200-epoch test accuracy', async () => {
    const table = loadNb201();
    const SEEDS = 200;
    const mean = async (make: (seed: number) => SearchAgent) => {
      let sum = 0;
      for (let seed = 0; seed < SEEDS; seed++) {
        const run = await nb201Search(table, 'cifar10', () => make(seed), { budget: 100 }).run();
        sum += (run.best?.evaluation.testAccuracy ?? 0) * 100;
      }
      return sum / SEEDS;
    };
    const random = await mean((seed) => new RandomSearch(NB201_NVEC, seed));
    const evolution = await mean((seed) => new RegularizedEvolution(NB201_NVEC, { seed }));
    // The NB201 paper: random ≈ 93.7, REA ≈ 94.0; the best cell is 94.37.
    expect(random).toBeGreaterThan(93.5);
    expect(random).toBeLessThan(94.0);
    expect(evolution).toBeGreaterThan(random + 0.1);
    expect(evolution).toBeLessThan(94.2);
  });
});
