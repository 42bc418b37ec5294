/**
 * Does selective backprop pay off? The small CNN (resources/architectures/small-cnn.json) on
 * Fashion-MNIST, per seed: a standard run of `epochs` epochs, then one run per selectivity β with
 * up to twice the epochs but no more wall time than the standard run took.
 *
 * `npm run -s bench:selective-backprop [-- --seeds 3 --epochs 3 --subset 10000 --betas 1,2 --backend wasm]`
 * prints one JSON object:
 *   {"standard":{"valid_acc","seconds"},"selective":{"<beta>":{"seconds_to_standard_acc","speedup",
 *    "valid_acc_at_standard_seconds","backprop_share"}},"seeds":[…per seed…]}
 * seconds_to_standard_acc: wall time (validation included) until the first epoch at or above the
 * standard run's final validation accuracy (null when not reached within its time); speedup: the
 * standard run's time over it; valid_acc_at_standard_seconds: the accuracy of the last epoch that
 * ended within the standard run's time. Top-level figures are means over seeds (speedup over the
 * seeds that reached the accuracy, with the count).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseArchitecture } from '../src/shared/architecture';
import { TrainingConfigSchema, type EpochMetrics } from '../src/shared/training';
import { initBackend } from '../src/engine/backends';
import { loadDataset, prepareData } from '../src/engine/data';
import { trainCandidate } from '../src/engine/train/candidate';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '3' },
    subset: { type: 'string', default: '10000' },
    betas: { type: 'string', default: '1,2' },
    backend: { type: 'string', default: 'wasm' },
    'data-dir': { type: 'string' },
  },
  strict: true,
});
const seeds = Number(values.seeds);
const epochs = Number(values.epochs);
const subset = Number(values.subset);
const betas = values.betas.split(',').map(Number);
if (![seeds, epochs, subset, ...betas].every((x) => Number.isFinite(x) && x >= 0)) throw new Error('--seeds, --epochs, --subset and --betas take numbers');

await initBackend(values.backend as Parameters<typeof initBackend>[0]);
const architecture = parseArchitecture(JSON.parse(readFileSync(new URL('../resources/architectures/small-cnn.json', import.meta.url), 'utf8')));
const dataset = await loadDataset({ name: 'fashion-mnist', dir: values['data-dir'] });

/** Trains for up to `maxEpochs`, stopping at the end of the first epoch past `maxSeconds`; the epochs with cumulative seconds. */
async function run(seed: number, maxEpochs: number, maxSeconds: number, beta?: number): Promise<(EpochMetrics & { elapsed: number })[]> {
  const data = prepareData(dataset, { subset, seed });
  const config = TrainingConfigSchema.parse({ epochs: maxEpochs, seed, ...(beta === undefined ? {} : { selectiveBackprop: { beta } }) });
  const abort = new AbortController();
  const seen: (EpochMetrics & { elapsed: number })[] = [];
  await trainCandidate(architecture, data, config, {
    signal: abort.signal,
    onEpoch: (m) => {
      const elapsed = (seen.at(-1)?.elapsed ?? 0) + m.seconds;
      seen.push({ ...m, elapsed });
      if (elapsed >= maxSeconds) abort.abort();
    },
  });
  return seen;
}

const round = (x: number | null, digits = 4) => (x === null ? null : Number(x.toFixed(digits)));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
interface SelectiveResult {
  seconds_to_standard_acc: number | null;
  speedup: number | null;
  valid_acc_at_standard_seconds: number | null;
  backprop_share: number | null;
}
const perSeed: { seed: number; standard: { valid_acc: number | null; seconds: number | null }; selective: Record<string, SelectiveResult> }[] = [];
for (let seed = 0; seed < seeds; seed++) {
  const standard = await run(seed, epochs, Infinity);
  const target = standard.at(-1)!.validAccuracy;
  const budget = standard.at(-1)!.elapsed;
  const selective: Record<string, SelectiveResult> = {};
  for (const beta of betas) {
    const epochsRun = await run(seed, 2 * epochs, budget, beta);
    const reached = epochsRun.find((m) => m.validAccuracy >= target);
    const within = epochsRun.filter((m) => m.elapsed <= budget).at(-1);
    selective[beta] = {
      seconds_to_standard_acc: round(reached?.elapsed ?? null, 1),
      speedup: reached ? round(budget / reached.elapsed, 2) : null,
      valid_acc_at_standard_seconds: round(within?.validAccuracy ?? null),
      backprop_share: round(mean(epochsRun.map((m) => m.backpropShare ?? 1)), 3),
    };
    process.stderr.write(`seed ${seed} beta ${beta}: ${JSON.stringify(selective[beta])}\n`);
  }
  perSeed.push({ seed, standard: { valid_acc: round(target), seconds: round(budget, 1) }, selective });
}

const summary = Object.fromEntries(
  betas.map((beta) => {
    const runs = perSeed.map((s) => s.selective[beta]);
    const speedups = runs.flatMap((r) => (r.speedup === null ? [] : [r.speedup]));
    return [
      beta,
      {
        speedup: round(mean(speedups), 2),
        reached_standard_acc: `${speedups.length}/${runs.length}`,
        valid_acc_at_standard_seconds: round(mean(runs.flatMap((r) => (r.valid_acc_at_standard_seconds === null ? [] : [r.valid_acc_at_standard_seconds])))),
        backprop_share: round(mean(runs.flatMap((r) => (r.backprop_share === null ? [] : [r.backprop_share]))), 3),
      },
    ];
  }),
);
console.log(
  JSON.stringify({
    dataset: 'fashion-mnist',
    subset,
    epochs,
    backend: values.backend,
    standard: { valid_acc: round(mean(perSeed.map((s) => s.standard.valid_acc!))), seconds: round(mean(perSeed.map((s) => s.standard.seconds!)), 1) },
    selective: summary,
    seeds: perSeed,
  }),
);
