/**
 * A small real search: PPO (plain, and guided by the GP predictor) against random search and
 * regularized evolution on Fashion-MNIST, every candidate trained, with the same budget and seeds.
 * Each run goes through prepareRun (the engine's own assembly of a run: data split, action set
 * space, training evaluator with test accuracy, agent), in this process, without a history: no run
 * reuses another's results and none warm-starts.
 *
 * `npm run -s bench:fmnist-search [-- --seeds 3 --budget 20 --subset 2000 --epochs 1
 *   --strategies ppo-gp,ppo,random,evolution --backend auto]` prints one JSON object:
 *   {"budget","seeds","subset","epochs","actionSet","backend","results":{"<strategy>":{"mean","std",
 *    "min","max","validMean","perSeed":[{"seed","testAccuracy","validAccuracy","bestIndex",
 *    "wallSeconds","agentMsPerCandidate"}],"wallSeconds"}},"wallSeconds","loadAverage"}
 * testAccuracy: the Fashion-MNIST test-set accuracy (all 10,000 images) of the run's best candidate,
 * the one with the highest validation accuracy (the search signal): what the product reports as the
 * run's result. mean/std over the seeds (population std, ddof 0, as np.std).
 *
 * The defaults aim at ~40 minutes on a 2-core machine shared with other work (wasm backend; measured
 * at load average 15–20: 4–15 s a candidate, of which testing on the 10,000 test images is about
 * half): 20 candidates, 3 seeds, 4 strategies = 240 trained networks, each 1 epoch on a 2,000-image
 * stratified subset (1,800 train, 200 validation; the seed picks it, the same for every strategy),
 * batch 64, Adam 1e-3, tested on the whole test set. So little training favours networks that learn
 * fast, which is what this search can measure in the time. The action set (BENCH_SET below) keeps
 * networks small: up to 4 layers of 3×3/5×5 convolutions with 4 or 8 filters, 2×2 max pooling and
 * dense layers of 32 or 64 units, a convolution never directly after another one.
 * Seed s: the run seed (data split, strategy) and the training seed (weights, batch order) are both s.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { parseRunConfig, type RunConfigInput } from '../src/shared/run-config';
import type { SearchEvent } from '../src/shared/events';
import { prepareRun } from '../src/engine/run/prepare-run';
import { positiveIntArg } from './support/args';

const BENCH_SET = {
  name: 'fmnist-bench',
  description: 'Small CNNs for the Fashion-MNIST search bench: convolutions, max pooling and dense layers, a convolution never right after another.',
  maxLayers: 4,
  nodes: [
    { id: 'conv', layer: { type: 'conv2d', filters: [4, 8], kernel: [3, 5], padding: 'same' } },
    { id: 'pool', layer: { type: 'maxPool', size: 2 } },
    { id: 'dense', layer: { type: 'dense', units: [32, 64] } },
  ],
  edges: [
    { from: 'input', to: 'conv' },
    { from: 'input', to: 'pool' },
    { from: 'input', to: 'dense' },
    { from: 'conv', to: 'pool' },
    { from: 'conv', to: 'dense' },
    { from: 'conv', to: 'output' },
    { from: 'pool', to: 'conv' },
    { from: 'pool', to: 'pool' },
    { from: 'pool', to: 'dense' },
    { from: 'pool', to: 'output' },
    { from: 'dense', to: 'dense' },
    { from: 'dense', to: 'output' },
  ],
};

/** Each strategy as the run config fields that choose it. */
const STRATEGIES: Record<string, Pick<RunConfigInput, 'strategy' | 'predictor'>> = {
  'ppo-gp': { strategy: 'ppo', predictor: 'gp' },
  ppo: { strategy: 'ppo' },
  random: { strategy: 'random' },
  evolution: { strategy: 'evolution' },
};

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    budget: { type: 'string', default: '20' },
    subset: { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '1' },
    strategies: { type: 'string', default: Object.keys(STRATEGIES).join(',') },
    backend: { type: 'string', default: 'auto' },
    'data-dir': { type: 'string' },
  },
  strict: true,
});
const seeds = positiveIntArg('seeds', values.seeds);
const budget = positiveIntArg('budget', values.budget);
const subset = positiveIntArg('subset', values.subset);
const epochs = positiveIntArg('epochs', values.epochs);
const names = values.strategies.split(',').map((s) => s.trim());
for (const n of names) if (!STRATEGIES[n]) throw new Error(`unknown strategy ${JSON.stringify(n)} (known: ${Object.keys(STRATEGIES).join(', ')})`);

interface SeedResult {
  seed: number;
  testAccuracy: number;
  validAccuracy: number;
  bestIndex: number;
  wallSeconds: number;
  agentMsPerCandidate: number;
}

let backendName = '';

async function searchOnce(name: string, seed: number): Promise<SeedResult> {
  const config = parseRunConfig({
    ...STRATEGIES[name],
    evaluator: 'training',
    budget,
    seed,
    backend: values.backend,
    dataset: 'fashion-mnist',
    dataDir: values['data-dir'],
    subset,
    training: { epochs, seed },
    actionSet: BENCH_SET,
  });
  const started = performance.now();
  const prepared = await prepareRun({ runId: `bench-${name}-${seed}`, config, budget });
  backendName = `${prepared.backend.name}: ${prepared.backend.device}`;
  let agentSeconds = 0;
  const onEvent = (event: SearchEvent) => {
    if (event.type !== 'candidate_finished') return;
    agentSeconds += event.agentSeconds ?? 0;
    process.stderr.write(`${name} seed ${seed} #${event.index}: val ${event.signal.toFixed(4)} test ${event.testAccuracy?.toFixed(4) ?? '—'} (${event.seconds.toFixed(1)} s)\n`);
  };
  try {
    const summary = await prepared.start(onEvent).run();
    const best = summary.best;
    if (!best || best.evaluation.testAccuracy === undefined) throw new Error(`${name} seed ${seed}: no candidate with a test accuracy`);
    return {
      seed,
      testAccuracy: round(best.evaluation.testAccuracy),
      validAccuracy: round(best.evaluation.signal),
      bestIndex: best.index,
      wallSeconds: round((performance.now() - started) / 1000, 1),
      agentMsPerCandidate: round((agentSeconds / summary.evaluations) * 1000, 1),
    };
  } finally {
    await prepared.close();
  }
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: readonly number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

const started = performance.now();
const perStrategy = new Map<string, SeedResult[]>(names.map((n) => [n, []]));
// Seed by seed, so that an interrupted bench still compares every strategy on the seeds it finished.
for (let seed = 0; seed < seeds; seed++) for (const name of names) perStrategy.get(name)!.push(await searchOnce(name, seed));

const results = Object.fromEntries(
  [...perStrategy].map(([name, runs]) => {
    const tests = runs.map((r) => r.testAccuracy);
    return [
      name,
      {
        mean: round(mean(tests)),
        std: round(std(tests)),
        min: Math.min(...tests),
        max: Math.max(...tests),
        validMean: round(mean(runs.map((r) => r.validAccuracy))),
        perSeed: runs,
        wallSeconds: round(runs.reduce((a, r) => a + r.wallSeconds, 0), 1),
      },
    ];
  }),
);
console.log(
  JSON.stringify({
    budget,
    seeds,
    subset,
    epochs,
    actionSet: BENCH_SET.name,
    backend: backendName,
    results,
    wallSeconds: round((performance.now() - started) / 1000, 1),
    loadAverage: loadavg().map((l) => round(l, 2)),
  }),
);
