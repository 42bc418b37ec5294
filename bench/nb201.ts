/**
 * Search strategies on NAS-Bench-201 with an evaluation budget.
 * `npm run -s bench:nb201 -- --budget 100 --seeds 100 --dataset cifar10` prints one JSON object:
 *   {"dataset","budget","seeds","results":{"<strategy>":{"mean","std",...},...}}
 * mean/std: over seeds first-seed…first-seed+seeds−1 (--first-seed, default 0), of the 200-epoch test accuracy of the architecture each run
 * chose by its best 12-epoch validation signal (std is the population std, ddof 0, as np.std).
 * Extra fields per strategy: min, max, distinct (mean distinct architectures per run);
 * top-level "optimum" is the best 200-epoch test accuracy in the table.
 * --budget 25,50,100 runs each seed once at the largest budget and prints one line per budget,
 * scoring each run's first B candidates: no agent knows its budget, so this equals separate runs.
 * (dqn and qlearning scale their exploration schedules to the largest budget, so their shorter
 * budgets' lines are not separate runs.)
 * --timing adds agentMs per strategy: the mean milliseconds the agent spent per candidate
 * (proposing it and learning from its result), over the first B candidates.
 * Options: --strategies ppo,random,evolution,dqn,qlearning (the default; also ppo-layerwise and the
 * predictor-guided agents ppo-gp, ppo-gp-ei, ppo-gp-layerwise, gp-random), --dir <data directory>,
 * --ppo '{"learningRate":…}' (PPO settings over NAS_PPO_DEFAULTS), --dqn '{…}' (DQN settings over
 * NAS_DQN_DEFAULTS), --guided '{"acquisition":…}'
 * (guided-agent settings over GUIDED_PPO_DEFAULTS), both for tuning on cifar10.
 * --workers N (candidates in flight: the agents ask before earlier candidates are told; default 1).
 */
import { parseArgs } from 'node:util';
import type { SearchAgent } from '../src/engine/agents/agent';
import { DqnAgent } from '../src/engine/agents/dqn-agent';
import { RegularizedEvolution } from '../src/engine/agents/evolution';
import { GuidedPpoAgent, type GuidedPpoSettings } from '../src/engine/agents/guided/guided-ppo';
import { PpoAgent } from '../src/engine/agents/ppo-agent';
import { QLearningAgent } from '../src/engine/agents/qlearning';
import { RandomSearch } from '../src/engine/agents/random-search';
import { loadNb201, NB201_DATASETS, type Nb201Dataset } from '../src/engine/evaluators/nb201';
import { nb201Search } from '../src/engine/search/nb201-search';
import type { Nb201Space } from '../src/engine/search/space';
import type { SearchEvent } from '../src/shared/events';
import { positiveIntArg } from './support/args';

/** One run's candidates in index order: what the scores of every budget are computed from. */
interface SeedRun {
  signals: number[];
  /** 200-epoch test accuracy (percent). */
  tests: number[];
  cached: boolean[];
  agentSeconds: number[];
}

const guided = (settings: GuidedPpoSettings) => (space: Nb201Space, seed: number) => new GuidedPpoAgent(space, { ...settings, ...guidedOverrides, seed });

/** One line per strategy: seed → the agent of one search. */
const STRATEGIES: Record<string, (space: Nb201Space, seed: number) => SearchAgent> = {
  ppo: (space, seed) => new PpoAgent({ space, mode: 'full', seed, ppo: ppoOverrides }),
  'ppo-layerwise': (space, seed) => new PpoAgent({ space, mode: 'layerwise', seed, ppo: ppoOverrides }),
  random: (space, seed) => new RandomSearch(space.nvec, seed),
  evolution: (space, seed) => new RegularizedEvolution(space.nvec, { population: 10, sampleSize: 3, seed }),
  dqn: (space, seed) => new DqnAgent({ space, seed, budget: maxBudget, dqn: dqnOverrides }),
  qlearning: (space, seed) => new QLearningAgent({ space, seed, budget: maxBudget }),
  'ppo-gp': guided({}),
  'ppo-gp-ei': guided({ acquisition: { kind: 'ei' } }),
  'ppo-gp-layerwise': guided({ mode: 'layerwise' }),
  'ppo-gp-policy-only': guided({ randomSamples: 0, policySamples: 2000 }),
  'gp-random': guided({ policySamples: 0, randomSamples: 2000 }),
};

async function searchOnce(name: string, seed: number): Promise<SeedRun> {
  const run: SeedRun = { signals: [], tests: [], cached: [], agentSeconds: [] };
  const onEvent = (event: SearchEvent) => {
    if (event.type !== 'candidate_finished') return;
    run.signals[event.index] = event.signal;
    run.tests[event.index] = (event.testAccuracy ?? 0) * 100;
    run.cached[event.index] = event.cached;
    run.agentSeconds[event.index] = event.agentSeconds ?? 0;
  };
  await nb201Search(table, dataset, (space) => STRATEGIES[name](space, seed), { budget: maxBudget, workers, runId: `bench-${seed}`, onEvent }).run();
  return run;
}

/** The test accuracy of the first candidate with the best signal among the first `budget` (the loop's best). */
function chosenTest(run: SeedRun, budget: number): number {
  let best = 0;
  for (let i = 1; i < Math.min(budget, run.signals.length); i++) if (run.signals[i] > run.signals[best]) best = i;
  return run.tests[best];
}

const { values } = parseArgs({
  options: {
    budget: { type: 'string', default: '100' },
    workers: { type: 'string', default: '1' },
    seeds: { type: 'string', default: '100' },
    'first-seed': { type: 'string', default: '0' },
    dataset: { type: 'string', default: 'cifar10' },
    strategies: { type: 'string' },
    dir: { type: 'string' },
    ppo: { type: 'string' },
    dqn: { type: 'string' },
    guided: { type: 'string' },
    timing: { type: 'boolean', default: false },
  },
  strict: true,
});

const budgets = values.budget.split(',').map((b) => positiveIntArg('budget', b.trim()));
const maxBudget = Math.max(...budgets);
const seeds = positiveIntArg('seeds', values.seeds);
/** Seeds firstSeed … firstSeed+seeds−1: a long table can be split over processes and pooled. */
const firstSeed = Number(values['first-seed']);
if (!Number.isInteger(firstSeed) || firstSeed < 0) throw new Error(`--first-seed must be a non-negative integer, got ${JSON.stringify(values['first-seed'])}`);
const workers = positiveIntArg('workers', values.workers);
if (!(NB201_DATASETS as readonly string[]).includes(values.dataset)) {
  throw new Error(`--dataset must be one of ${NB201_DATASETS.join(', ')}, got ${JSON.stringify(values.dataset)}`);
}
const dataset = values.dataset as Nb201Dataset;
const names = values.strategies ? values.strategies.split(',').map((s) => s.trim()) : ['ppo', 'random', 'evolution', 'dqn', 'qlearning'];
for (const n of names) if (!STRATEGIES[n]) throw new Error(`unknown strategy ${JSON.stringify(n)} (known: ${Object.keys(STRATEGIES).join(', ')})`);

const table = loadNb201(values.dir);
const ppoOverrides = values.ppo ? (JSON.parse(values.ppo) as Record<string, unknown>) : {};
const dqnOverrides = values.dqn ? (JSON.parse(values.dqn) as Record<string, unknown>) : {};
const guidedOverrides = values.guided ? (JSON.parse(values.guided) as GuidedPpoSettings) : {};
const round = (x: number) => Math.round(x * 1e4) / 1e4;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

type Row = { mean: number; std: number; min: number; max: number; distinct: number; agentMs?: number };
const rows = new Map<number, Record<string, Row>>(budgets.map((b) => [b, {}]));
for (const name of names) {
  const runs: SeedRun[] = [];
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) runs.push(await searchOnce(name, seed));
  for (const budget of budgets) {
    const tests = runs.map((run) => chosenTest(run, budget));
    const mean = sum(tests) / tests.length;
    const std = Math.sqrt(tests.reduce((a, b) => a + (b - mean) ** 2, 0) / tests.length);
    const distinct = sum(runs.map((run) => run.cached.slice(0, budget).filter((c) => !c).length));
    const row: Row = { mean: round(mean), std: round(std), min: round(Math.min(...tests)), max: round(Math.max(...tests)), distinct: round(distinct / seeds) };
    if (values.timing) row.agentMs = round((sum(runs.map((run) => sum(run.agentSeconds.slice(0, budget)))) / (seeds * budget)) * 1000);
    rows.get(budget)![name] = row;
  }
}
const optimum = round(Math.max(...table.column('200', 'test', dataset)));
for (const budget of budgets) console.log(JSON.stringify({ dataset, budget, seeds, ...(firstSeed > 0 ? { firstSeed } : {}), ...(workers > 1 ? { workers } : {}), results: rows.get(budget), optimum }));
