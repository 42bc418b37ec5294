/**
 * Search strategies on NAS-Bench-201 with an evaluation budget.
 * `npm run -s bench:nb201 -- --budget 100 --seeds 100 --dataset cifar10` prints one JSON object:
 *   {"dataset","budget","seeds","results":{"<strategy>":{"mean","std",...},...}}
 * mean/std: over seeds 0…seeds−1, of the 200-epoch test accuracy of the architecture each run
 * chose by its best 12-epoch validation signal (std is the population std, ddof 0, as np.std).
 * Extra fields per strategy: min, max, distinct (mean distinct architectures per run);
 * top-level "optimum" is the best 200-epoch test accuracy in the table.
 * Options: --strategies ppo,random,evolution (the default; also ppo-layerwise), --dir <data directory>,
 * --ppo '{"learningRate":…}' (PPO settings over NAS_PPO_DEFAULTS, for tuning on cifar10).
 */
import { parseArgs } from 'node:util';
import type { SearchAgent } from '../src/engine/agents/agent';
import { RegularizedEvolution } from '../src/engine/agents/evolution';
import { PpoAgent } from '../src/engine/agents/ppo-agent';
import { RandomSearch } from '../src/engine/agents/random-search';
import { loadNb201, NB201_DATASETS, type Nb201Dataset } from '../src/engine/evaluators/nb201';
import { nb201Search } from '../src/engine/search/nb201-search';
import type { Nb201Space } from '../src/engine/search/space';

interface SeedResult {
  /** 200-epoch test accuracy (percent) of the architecture chosen by the best signal. */
  test200: number;
  distinct: number;
}

/** One line per strategy: seed → the agent of one search. */
const STRATEGIES: Record<string, (space: Nb201Space, seed: number) => SearchAgent> = {
  ppo: (space, seed) => new PpoAgent({ space, mode: 'full', seed, ppo: ppoOverrides }),
  'ppo-layerwise': (space, seed) => new PpoAgent({ space, mode: 'layerwise', seed, ppo: ppoOverrides }),
  random: (space, seed) => new RandomSearch(space.nvec, seed),
  evolution: (space, seed) => new RegularizedEvolution(space.nvec, { population: 10, sampleSize: 3, seed }),
};

async function searchOnce(name: string, seed: number): Promise<SeedResult> {
  const summary = await nb201Search(table, dataset, (space) => STRATEGIES[name](space, seed), { budget, runId: `bench-${seed}` }).run();
  return { test200: (summary.best?.evaluation.testAccuracy ?? 0) * 100, distinct: summary.evaluations - summary.cacheHits };
}

const { values } = parseArgs({
  options: {
    budget: { type: 'string', default: '100' },
    seeds: { type: 'string', default: '100' },
    dataset: { type: 'string', default: 'cifar10' },
    strategies: { type: 'string' },
    dir: { type: 'string' },
    ppo: { type: 'string' },
  },
  strict: true,
});

const positiveInt = (name: string, s: string): number => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(s)}`);
  return n;
};
const budget = positiveInt('budget', values.budget);
const seeds = positiveInt('seeds', values.seeds);
if (!(NB201_DATASETS as readonly string[]).includes(values.dataset)) {
  throw new Error(`--dataset must be one of ${NB201_DATASETS.join(', ')}, got ${JSON.stringify(values.dataset)}`);
}
const dataset = values.dataset as Nb201Dataset;
const names = values.strategies ? values.strategies.split(',').map((s) => s.trim()) : ['ppo', 'random', 'evolution'];
for (const n of names) if (!STRATEGIES[n]) throw new Error(`unknown strategy ${JSON.stringify(n)} (known: ${Object.keys(STRATEGIES).join(', ')})`);

const table = loadNb201(values.dir);
const ppoOverrides = values.ppo ? (JSON.parse(values.ppo) as Record<string, unknown>) : {};
const round = (x: number) => Math.round(x * 1e4) / 1e4;
const results: Record<string, { mean: number; std: number; min: number; max: number; distinct: number }> = {};
for (const name of names) {
  const tests: number[] = [];
  let distinct = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const run = await searchOnce(name, seed);
    tests.push(run.test200);
    distinct += run.distinct;
  }
  const mean = tests.reduce((a, b) => a + b, 0) / tests.length;
  const std = Math.sqrt(tests.reduce((a, b) => a + (b - mean) ** 2, 0) / tests.length);
  results[name] = { mean: round(mean), std: round(std), min: round(Math.min(...tests)), max: round(Math.max(...tests)), distinct: round(distinct / seeds) };
}
const optimum = round(Math.max(...table.column('200', 'test', dataset)));
console.log(JSON.stringify({ dataset, budget, seeds, results, optimum }));
