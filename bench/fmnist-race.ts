/**
 * A race against the clock on Fashion-MNIST: the product's time-boxed search (the CLI's
 * `search --time-budget`), without and with early stopping, and the best test accuracy it has
 * found by each checkpoint of the clock.
 *
 * `npm run -s bench:fmnist-race [-- --minutes 10,20,30 --prune none,asha,median --strategy ppo
 *   --workers 1 --subset 10000 --epochs 9 --batch-size 64 --seed 0 --backend wasm]` prints one JSON object:
 *   {"dataset","subset","epochs","batch_size","strategy","workers","seed","minutes",
 *    "runs": [{"prune","backend","status","reason","setup_s","wall_s","candidates","pruned","epochs_trained",
 *              "by_minute": {"10": {"best_test_acc","best_valid_acc","best_index","candidates","pruned","epochs_trained"}, …}}, …]}
 *
 * Each configuration is one `search` (a fresh history, so nothing is reused from another run), one
 * after another so they share the machine alike, with a time budget of the last checkpoint. The
 * clock starts when the search starts proposing (run_started: data loaded, workers up; the time
 * before is `setup_s`), as the product's time budget does. At each checkpoint the best candidate
 * is the one with the highest validation accuracy among those completed by then (pruned ones do
 * not count), and its test accuracy (the 10,000 test images) is reported: what the product would
 * have picked, had it stopped there. Candidates still training when the budget runs out finish
 * (`wall_s` includes them), but count for no checkpoint.
 *
 * Defaults, for 10 to 30 minutes on 2 cores with the wasm backend: a 10,000-image stratified
 * subset (9,000 to train, 1,000 to validate), 9 epochs per candidate (ASHA's rungs at epochs 1 and
 * 3; median stopping after 5 completed candidates), batch 64, the default action set
 * (original-design: up to 5 layers of 5×5 convolutions of 8–32 filters, pooling, dropout, batch
 * norm), PPO, one worker. One completed candidate then takes about 1–5 minutes, so the run
 * without pruning sees 10–30 of them in 30 minutes. On a loaded machine every figure shifts: read
 * them next to the load average.
 */
import { parseArgs } from 'node:util';
import { PRUNE_RULES, STRATEGY_NAMES, type PruneRule } from '../src/shared/run-config';
import { cliSearch, type TimedEvent } from './support/cli-search';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10,20,30' },
    prune: { type: 'string', default: 'none,asha,median' },
    strategy: { type: 'string', default: 'ppo' },
    workers: { type: 'string', default: '1' },
    subset: { type: 'string', default: '10000' },
    epochs: { type: 'string', default: '9' },
    'batch-size': { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'wasm' },
  },
  strict: true,
});

const positive = (name: string, text: string, min = 1) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} needs a number ≥ ${min}, got ${JSON.stringify(text)}`);
  return n;
};
const integer = (name: string, text: string, min = 1) => {
  const n = positive(name, text, min);
  if (!Number.isInteger(n)) throw new Error(`--${name} needs a whole number, got ${JSON.stringify(text)}`);
  return n;
};
const minutes = values.minutes.split(',').map((m) => positive('minutes', m.trim(), 0.05)).sort((a, b) => a - b);
const rules = values.prune.split(',').map((rule) => {
  if (!(PRUNE_RULES as readonly string[]).includes(rule.trim())) throw new Error(`--prune takes ${PRUNE_RULES.join(', ')}, got ${JSON.stringify(rule)}`);
  return rule.trim() as PruneRule;
});
if (!(STRATEGY_NAMES as readonly string[]).includes(values.strategy)) throw new Error(`--strategy takes ${STRATEGY_NAMES.join(', ')}`);
const settings = {
  strategy: values.strategy,
  workers: integer('workers', values.workers),
  subset: integer('subset', values.subset),
  epochs: integer('epochs', values.epochs),
  batchSize: integer('batch-size', values['batch-size']),
  seed: integer('seed', values.seed, 0),
};
const timeBudgetS = Math.ceil(minutes.at(-1)! * 60);

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

interface Finished {
  at: number;
  index: number;
  status: string;
  signal: number;
  testAccuracy?: number;
}

/** What the search had found by `seconds` after it started. */
function standingAt(finished: readonly Finished[], epochs: readonly number[], seconds: number) {
  const done = finished.filter((f) => f.at <= seconds);
  // Highest validation accuracy, the first to finish on ties: as the run's own best.
  const best = done.filter((f) => f.status === 'completed').reduce<Finished | undefined>((top, f) => (!top || f.signal > top.signal ? f : top), undefined);
  return {
    best_test_acc: best?.testAccuracy === undefined ? null : round(best.testAccuracy),
    best_valid_acc: best ? round(best.signal) : null,
    best_index: best?.index ?? null,
    candidates: done.length,
    pruned: done.filter((f) => f.status === 'pruned').length,
    epochs_trained: epochs.filter((at) => at <= seconds).length,
  };
}

async function race(prune: PruneRule) {
  const args = [
    '--dataset', 'fashion-mnist',
    '--subset', String(settings.subset),
    '--epochs', String(settings.epochs),
    '--batch-size', String(settings.batchSize),
    '--strategy', settings.strategy,
    '--workers', String(settings.workers),
    '--seed', String(settings.seed),
    '--backend', values.backend,
    '--prune', prune,
    '--time-budget', String(timeBudgetS),
  ];
  process.stderr.write(`race: search ${args.join(' ')}\n`);
  const { events, wallSeconds, summary } = await cliSearch(args);
  const of = (type: string) => events.filter((e) => e.event.type === type);
  const start = of('run_started')[0]?.at;
  if (start === undefined) throw new Error(`search --prune ${prune} never started`);
  const finished = of('candidate_finished').map(({ at, event }: TimedEvent) => ({
    at: at - start,
    index: event.index as number,
    status: event.status as string,
    signal: event.signal as number,
    testAccuracy: event.test_accuracy as number | undefined,
  }));
  const epochs = of('epoch_done').map((e) => e.at - start);
  const status = of('status').at(-1)?.event;
  const backend = of('backend')[0]?.event;
  const run = {
    prune,
    backend: backend ? `${backend.name as string}: ${backend.device as string}` : null,
    status: summary.status,
    reason: status?.reason ?? null,
    setup_s: round(start, 1),
    wall_s: round(wallSeconds, 1),
    candidates: finished.length,
    pruned: finished.filter((f) => f.status === 'pruned').length,
    epochs_trained: epochs.length,
    by_minute: Object.fromEntries(minutes.map((m) => [String(m), standingAt(finished, epochs, m * 60)])),
  };
  process.stderr.write(`race: ${JSON.stringify(run)}\n`);
  return run;
}

const runs = [];
for (const prune of rules) runs.push(await race(prune));
console.log(
  JSON.stringify({
    dataset: 'fashion-mnist',
    subset: settings.subset,
    epochs: settings.epochs,
    batch_size: settings.batchSize,
    strategy: settings.strategy,
    workers: settings.workers,
    seed: settings.seed,
    minutes,
    time_budget_s: timeBudgetS,
    runs,
  }),
);
