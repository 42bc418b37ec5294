/**
 * Early stopping on Fashion-MNIST: how many training epochs median stopping and ASHA save, and the
 * best test accuracy a search finds within equal wall-clock budgets, against no pruning.
 *
 * `npm run -s bench:prune [-- --candidates 24 --subset 1200 --epochs 9 --batch 128 --test 2000 --seeds 20 --verify 10]`
 * prints one JSON object. What it does:
 *  1. Pool (real training): random search (seed 0) over the `mlp` action set draws `candidates`
 *     distinct networks, and each is trained for all `epochs` on a stratified `subset` of the
 *     training images (10% of it for validation), then tested on the first `test` test images.
 *     Per epoch it records validation accuracy and seconds. This is the run without pruning.
 *  2. Replay (several seeds): random search's proposals do not depend on results and training is
 *     seeded, so a pruned run over the same networks sees exactly the recorded curves up to where it
 *     stops. Each seed orders the pool (seed 0: as drawn; others: shuffled) and runs the real search
 *     loop and pruner over an evaluator that replays the curves; a candidate costs its epochs'
 *     recorded seconds plus its build-and-test overhead (charged to pruned ones too, which skip the
 *     test: savings are, if anything, understated). Reported per rule: share of epochs saved,
 *     share of time saved, and over seeds the best test accuracy (of the candidate with the best
 *     validation accuracy among those completed) within 1/4, 1/2 and all of the pool's cost.
 *  3. Verify (real training again, one run after another so they share the machine's load): none,
 *     median and ASHA over the first `verify` networks of the pool, with the real trainer honouring
 *     the verdicts: wall time, epochs trained, best test accuracy, and whether every decision equals
 *     the replay's.
 */
import { readFileSync } from 'node:fs';
import { ActionGrammar, parseActionSet } from '../src/shared/action-set';
import { PRUNE_RULES, type PruneRule } from '../src/shared/run-config';
import { TrainingConfigSchema, type EpochMetrics } from '../src/shared/training';
import type { SearchAgent } from '../src/engine/agents/agent';
import { RandomSearch } from '../src/engine/agents/random-search';
import { initBackend } from '../src/engine/backends';
import { TrainingEvaluator } from '../src/engine/evaluators/training';
import type { CandidateEvaluator, CandidateOutcome, EvaluationHooks, EvaluationJob } from '../src/engine/evaluators/types';
import { InlinePool } from '../src/engine/pool/inline-pool';
import { createRng } from '../src/engine/random';
import { loadData } from '../src/engine/run/run-data';
import { createPruner } from '../src/engine/search/pruning';
import { computeReward, DEFAULT_REWARD } from '../src/engine/search/reward';
import { SearchLoop } from '../src/engine/search/search-loop';
import { ActionSetSpace } from '../src/engine/search/space';
import { intFlags } from './support/fake-history';

const flags = intFlags({ candidates: 24, subset: 1200, epochs: 9, batch: 128, test: 2000, seeds: 20, verify: 10 });
const BUDGETS = [0.25, 0.5, 1] as const;
const budgetKey = (fraction: number) => `${fraction * 100}%`;

/** One network of the pool, trained to its last epoch. */
interface Trained {
  action: number[];
  hash: string;
  label: string;
  outcome: CandidateOutcome;
  /** Wall time of its whole evaluation (build, epochs, test). */
  seconds: number;
}

/** What one run made of one candidate. */
interface Told {
  hash: string;
  status: CandidateOutcome['status'];
  reached: number;
  signal: number;
  testAccuracy?: number;
}

const backend = await initBackend('wasm');
const data = await loadData({ dataset: 'fashion-mnist', subset: flags.subset, seed: 0 });
const testCount = Math.min(flags.test, data.test.count);
const pixels = data.test.x.length / data.test.count;
data.test = { ...data.test, count: testCount, x: data.test.x.subarray(0, testCount * pixels), y: data.test.y.subarray(0, testCount) };
const set = parseActionSet(JSON.parse(readFileSync(new URL('../resources/action-sets/mlp.json', import.meta.url), 'utf8')));
const space = new ActionSetSpace(new ActionGrammar(set, data.dataset.inputShape));
const training = TrainingConfigSchema.parse({ epochs: flags.epochs, batchSize: flags.batch });
const evaluator = new TrainingEvaluator(data, training, { evaluateTest: true });

// 1. The pool: distinct networks of a seeded random search, each trained to the end, after a
// warm-up (the first training of a process also compiles the backend's kernels).
const pool: Trained[] = [];
const drawer = new RandomSearch(space.nvec, 0, undefined, (prefix) => space.slotMask(prefix));
const warmUp = space.describe(space.nvec.map(() => 0));
await new TrainingEvaluator(data, { ...training, epochs: 1 }).evaluate({ index: -1, action: [], hash: warmUp.hash, architecture: warmUp.architecture });
while (pool.length < flags.candidates) {
  const { action } = await drawer.ask();
  const { hash, label, architecture } = space.describe(action);
  if (pool.some((t) => t.hash === hash)) continue;
  const started = performance.now();
  const outcome = await evaluator.evaluate({ index: pool.length, action, hash, architecture });
  pool.push({ action, hash, label, outcome, seconds: (performance.now() - started) / 1000 });
  process.stderr.write(`pool ${pool.length}/${flags.candidates}: ${label}  val ${outcome.signal.toFixed(3)}  ${pool.at(-1)!.seconds.toFixed(1)} s\n`);
}
const byHash = new Map(pool.map((t) => [t.hash, t]));
const epochSeconds = (t: Trained, epochs: number) => t.outcome.epochs.slice(0, epochs).reduce((sum, e) => sum + e.seconds, 0);
/** What a candidate costs when it trains `reached` epochs: those epochs and its build-and-test overhead. */
const cost = (t: Trained, reached: number) => t.seconds - epochSeconds(t, t.outcome.epochs.length) + epochSeconds(t, reached);

/** Replays the pool's recorded curves, stopping where the epoch hook says prune. */
class ReplayEvaluator implements CandidateEvaluator {
  readonly settingsKey = 'replay';
  readonly epochs = flags.epochs;
  async evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    const { outcome } = byHash.get(job.hash)!;
    const epochs: EpochMetrics[] = [];
    for (const metrics of outcome.epochs) {
      epochs.push(metrics);
      if (hooks.onEpoch?.(metrics) === 'prune') break;
    }
    if (epochs.length === outcome.epochs.length) return outcome;
    const { testAccuracy: _test, ...rest } = outcome;
    return { ...rest, status: 'pruned', signal: epochs[epochs.length - 1].validAccuracy, epochs };
  }
}

/** Proposes the given networks in order. */
const inOrder = (order: readonly Trained[]): SearchAgent => ({
  name: 'pool',
  ask: async (index) => ({ action: order[index].action }),
  tell: async () => undefined,
  checkpoint: () => ({}),
});

/** One search over `order` with `rule`, candidate by candidate (one worker, as the pool was trained). */
async function search(order: readonly Trained[], rule: PruneRule, over: CandidateEvaluator): Promise<Told[]> {
  const told: Told[] = [];
  const loop = new SearchLoop(inOrder(order), space, {
    runId: `bench-${rule}`,
    evaluator: 'training',
    budget: { evaluations: order.length },
    pool: new InlinePool(over),
    pruner: createPruner(rule, flags.epochs),
    reward: (action, outcome, previous) => computeReward(outcome, previous, space.layers(action).length, DEFAULT_REWARD),
    onEvent: (event) => {
      if (event.type !== 'candidate_finished') return;
      const { status, signal, testAccuracy, epochsReached } = event;
      told.push({ hash: order[event.index].hash, status, signal, testAccuracy, reached: epochsReached ?? 0 });
    },
  });
  await loop.run();
  return told;
}

/** Test accuracy of the best completed candidate (by validation accuracy) finished within `seconds`. */
function bestWithin(told: readonly Told[], seconds: number): { test: number | null; candidates: number } {
  let spent = 0;
  let best: Told | undefined;
  let candidates = 0;
  for (const t of told) {
    spent += cost(byHash.get(t.hash)!, t.reached);
    if (spent > seconds * (1 + 1e-9)) break;
    candidates++;
    if (t.status === 'completed' && (!best || t.signal > best.signal)) best = t;
  }
  return { test: best?.testAccuracy ?? null, candidates };
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));
const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: round(mean), std: round(Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length)) };
};
const epochsOf = (told: readonly Told[]) => told.reduce((sum, t) => sum + t.reached, 0);
const timeOf = (told: readonly Told[]) => told.reduce((sum, t) => sum + cost(byHash.get(t.hash)!, t.reached), 0);

// 2. Replays over orderings of the pool.
const poolSeconds = pool.reduce((sum, t) => sum + t.seconds, 0);
const fullEpochs = pool.reduce((sum, t) => sum + t.outcome.epochs.length, 0);
const replay: Record<string, unknown> = {};
const seed0: Record<string, Told[]> = {};
for (const rule of PRUNE_RULES) {
  const saved: number[] = [];
  const timeSaved: number[] = [];
  const within = BUDGETS.map(() => ({ test: [] as number[], candidates: [] as number[] }));
  for (let seed = 0; seed < flags.seeds; seed++) {
    const order = seed === 0 ? pool : createRng(seed).shuffle([...pool]);
    const told = await search(order, rule, new ReplayEvaluator());
    if (seed === 0) seed0[rule] = told;
    saved.push(1 - epochsOf(told) / fullEpochs);
    timeSaved.push(1 - timeOf(told) / poolSeconds);
    BUDGETS.forEach((fraction, i) => {
      const { test, candidates } = bestWithin(told, fraction * poolSeconds);
      if (test !== null) within[i].test.push(test);
      within[i].candidates.push(candidates);
    });
  }
  replay[rule] = {
    epochs_saved_share: stats(saved),
    time_saved_share: stats(timeSaved),
    pruned_seed0: seed0[rule].filter((t) => t.status === 'pruned').map((t) => t.reached),
    best_test_within: Object.fromEntries(BUDGETS.map((fraction, i) => [budgetKey(fraction), { ...stats(within[i].test), runs_with_a_result: within[i].test.length, candidates: stats(within[i].candidates) }])),
  };
}

// 3. Real runs with pruning over the first networks of the pool, checked against the replay.
const first = pool.slice(0, Math.min(flags.verify, pool.length));
const real: Record<string, unknown> = {};
for (const rule of PRUNE_RULES) {
  const started = performance.now();
  const told = await search(first, rule, evaluator);
  const seconds = (performance.now() - started) / 1000;
  const expected = await search(first, rule, new ReplayEvaluator());
  const best = told.filter((t) => t.status === 'completed').sort((a, b) => b.signal - a.signal)[0];
  real[rule] = {
    seconds: round(seconds, 1),
    epochs: epochsOf(told),
    epochs_saved_share: round(1 - epochsOf(told) / (flags.epochs * told.length)),
    reached: told.map((t) => t.reached),
    same_decisions_as_replay: told.every((t, i) => t.reached === expected[i].reached && t.status === expected[i].status),
    best_test: best?.testAccuracy ?? null,
  };
  process.stderr.write(`verify ${rule}: ${seconds.toFixed(1)} s\n`);
}

console.log(
  JSON.stringify({
    dataset: 'fashion-mnist',
    action_set: set.name,
    backend: backend.name,
    train: data.train.count,
    validation: data.validation.count,
    test: data.test.count,
    epochs: flags.epochs,
    batch: flags.batch,
    candidates: pool.length,
    pool: {
      seconds: round(poolSeconds, 1),
      epochs: fullEpochs,
      best_valid: round(Math.max(...pool.map((t) => t.outcome.signal))),
      best_test_by_valid: [...pool].filter((t) => t.outcome.status === 'completed').sort((a, b) => b.outcome.signal - a.outcome.signal)[0]?.outcome.testAccuracy ?? null,
      statuses: pool.map((t) => t.outcome.status).filter((s) => s !== 'completed'),
    },
    replay: { seeds: flags.seeds, budgets_of_pool_seconds: BUDGETS.map(budgetKey), rules: replay },
    real,
  }),
);
