/**
 * Search strategies on NAS-Bench-201 with an evaluation budget.
 * `npm run -s bench:nb201 -- --budget 100 --seeds 100 --dataset cifar10` prints one JSON object:
 *   {"dataset","budget","seeds","results":{"<strategy>":{"mean","std","se",...},...}}
 * mean/std: over seeds 0…seeds−1, of the 200-epoch test accuracy of the architecture each run
 * chose by its best 12-epoch validation signal (std is the population std, ddof 0, as np.std;
 * se = std/√seeds). Extra fields per strategy: min, max, distinct (mean distinct architectures
 * per run), agentMs (mean milliseconds the agent spent per candidate, ask + tell, over the budget,
 * for the agents of the synchronous ask → lookup → tell loop; null for the others);
 * top-level "optimum" is the best 200-epoch test accuracy in the table.
 * --budget 25,50,100,200 runs each seed once at the largest budget and prints one line per budget,
 * scoring the first B candidates: no strategy knows its budget, so this equals separate runs.
 * Options: --strategies ppo,random,evolution,ppo-guided,ppo-guided-layerwise,predictor-uniform
 * (default all), --dir <data directory>, --ppo '{"learningRate":…}' (PPO settings over
 * NAS_PPO_DEFAULTS), --guided '{"acquisition":{"kappa":1},…}' (guided-agent settings over
 * GUIDED_PPO_DEFAULTS), both for tuning on cifar10.
 */
import { parseArgs } from 'node:util';
import type { SearchAgent } from '../src/engine/agents/agent';
import { RegularizedEvolution } from '../src/engine/agents/evolution';
import { GuidedPpoAgent, type GuidedPpoSettings } from '../src/engine/agents/guided/guided-ppo';
import { RandomSearch } from '../src/engine/agents/random-search';
import type { SearchStrategy } from '../src/engine/agents/strategy';
import { loadNb201, NB201_DATASETS, NB201_NVEC, type Nb201Dataset } from '../src/engine/evaluators/nb201';
import { Nb201Env } from '../src/engine/envs/nb201';
import { PpoSearch } from '../src/engine/search/ppo-search';
import { EnvProblem } from '../src/engine/search/problems';
import { SearchRun } from '../src/engine/search/search-run';
import { Nb201Space } from '../src/engine/search/space';
import type { SearchEvent } from '../src/shared/events';

/** One run: every candidate's signal and 200-epoch test accuracy (percent), in order. */
interface SeedRun {
  signals: number[];
  tests: number[];
  hashes: string[];
  /** Seconds the agent spent on each candidate (ask + tell), where measured. */
  agentSeconds?: number[];
}

/** Collects a run's candidates from its events. */
function recorder(): { run: SeedRun; onEvent: (event: SearchEvent) => void } {
  const run: SeedRun = { signals: [], tests: [], hashes: [] };
  return {
    run,
    onEvent: (event) => {
      if (event.type === 'candidate_proposed') run.hashes.push(event.hash);
      if (event.type === 'candidate_finished') {
        run.signals.push(event.signal);
        run.tests.push((event.testAccuracy ?? 0) * 100);
      }
    },
  };
}

const askTell = (make: (seed: number) => SearchStrategy) => async (seed: number): Promise<SeedRun> => {
  const problem = new EnvProblem(new Nb201Env(table, dataset), 'nb201');
  const { run, onEvent } = recorder();
  await new SearchRun(make(seed), problem, { runId: `bench-${seed}`, budget: { evaluations: maxBudget }, onEvent }).run();
  return run;
};

/** The synchronous loop of one worker: ask → table lookup → tell, timing the agent. */
const agentLoop = (make: (seed: number) => SearchAgent) => async (seed: number): Promise<SeedRun> => {
  const agent = make(seed);
  const run: SeedRun = { signals: [], tests: [], hashes: [], agentSeconds: [] };
  for (let index = 0; index < maxBudget; index++) {
    const started = performance.now();
    const { action } = await agent.ask(index, []);
    const asked = performance.now();
    const result = table.lookup(action, dataset);
    const signal = result.signal / 100;
    const beforeTell = performance.now();
    await agent.tell(index, { action, status: 'completed', signal, reward: signal });
    run.agentSeconds!.push((asked - started + performance.now() - beforeTell) / 1000);
    run.signals.push(signal);
    run.tests.push(result.test200);
    run.hashes.push(`nb201:${result.index}`);
  }
  return run;
};

const guided = (settings: GuidedPpoSettings) => agentLoop((seed) => new GuidedPpoAgent(new Nb201Space(table), { ...settings, ...guidedOverrides, seed }));

/** One line per strategy: seed → the candidates of one search. */
const STRATEGIES: Record<string, (seed: number) => Promise<SeedRun>> = {
  ppo: async (seed) => {
    const { run, onEvent } = recorder();
    const search = new PpoSearch(new Nb201Env(table, dataset), { runId: `bench-${seed}`, evaluator: 'nb201', budget: { evaluations: maxBudget }, ppo: { ...ppoOverrides, seed }, onEvent });
    await search.run();
    return run;
  },
  random: askTell((seed) => new RandomSearch(NB201_NVEC, seed)),
  evolution: askTell((seed) => new RegularizedEvolution(NB201_NVEC, { population: 10, sampleSize: 3, seed })),
  'ppo-guided': guided({ mode: 'full' }),
  'ppo-guided-layerwise': guided({ mode: 'layerwise' }),
  'predictor-uniform': guided({ proposer: 'uniform' }),
};

const { values } = parseArgs({
  options: {
    budget: { type: 'string', default: '100' },
    seeds: { type: 'string', default: '100' },
    dataset: { type: 'string', default: 'cifar10' },
    strategies: { type: 'string' },
    dir: { type: 'string' },
    ppo: { type: 'string' },
    guided: { type: 'string' },
  },
  strict: true,
});

const positiveInt = (name: string, s: string): number => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(s)}`);
  return n;
};
const budgets = values.budget.split(',').map((b) => positiveInt('budget', b.trim()));
const maxBudget = Math.max(...budgets);
const seeds = positiveInt('seeds', values.seeds);
if (!(NB201_DATASETS as readonly string[]).includes(values.dataset)) {
  throw new Error(`--dataset must be one of ${NB201_DATASETS.join(', ')}, got ${JSON.stringify(values.dataset)}`);
}
const dataset = values.dataset as Nb201Dataset;
const names = values.strategies ? values.strategies.split(',').map((s) => s.trim()) : Object.keys(STRATEGIES);
for (const n of names) if (!STRATEGIES[n]) throw new Error(`unknown strategy ${JSON.stringify(n)} (known: ${Object.keys(STRATEGIES).join(', ')})`);

const table = loadNb201(values.dir);
const ppoOverrides = values.ppo ? (JSON.parse(values.ppo) as Record<string, unknown>) : {};
const guidedOverrides = values.guided ? (JSON.parse(values.guided) as GuidedPpoSettings) : {};
const round = (x: number) => Math.round(x * 1e4) / 1e4;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The test accuracy of the first candidate with the best signal among the first `budget`. */
function chosenTest(run: SeedRun, budget: number): number {
  let best = 0;
  for (let i = 1; i < Math.min(budget, run.signals.length); i++) if (run.signals[i] > run.signals[best]) best = i;
  return run.tests[best];
}

type Row = { mean: number; std: number; se: number; min: number; max: number; distinct: number; agentMs: number | null };
const rows: Record<number, Record<string, Row>> = Object.fromEntries(budgets.map((b) => [b, {}]));
for (const name of names) {
  const runs: SeedRun[] = [];
  for (let seed = 0; seed < seeds; seed++) runs.push(await STRATEGIES[name](seed));
  for (const budget of budgets) {
    const tests = runs.map((run) => chosenTest(run, budget));
    const m = mean(tests);
    const std = Math.sqrt(mean(tests.map((t) => (t - m) ** 2)));
    const distinct = mean(runs.map((run) => new Set(run.hashes.slice(0, budget)).size));
    const timed = runs.flatMap((run) => run.agentSeconds?.slice(0, budget) ?? []);
    rows[budget][name] = {
      mean: round(m),
      std: round(std),
      se: round(std / Math.sqrt(seeds)),
      min: round(Math.min(...tests)),
      max: round(Math.max(...tests)),
      distinct: round(distinct),
      agentMs: timed.length > 0 ? round(mean(timed) * 1000) : null,
    };
  }
}
const optimum = round(Math.max(...table.column('200', 'test', dataset)));
for (const budget of budgets) console.log(JSON.stringify({ dataset, budget, seeds, results: rows[budget], optimum }));
