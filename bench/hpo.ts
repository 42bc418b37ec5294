/**
 * The tuning controller against the baseline schedules on Fashion-MNIST.
 *
 * `npm run -s bench:hpo [-- --learn-episodes 40 --learn-tasks 6 --seeds 5 --subset 2000 --epochs 4
 *   --decisions-per-epoch 2 --batch-size 64 --freq-min 16 --freq-max 128 --seed 0 --backend wasm
 *   --baselines constant,cosine,step,best-constant --grid 3e-4,1e-3,3e-3,1e-2]` prints one JSON object:
 *   {"config", "learn": {"episodes","wall_s","updates","update_frequency","threshold","interventions_per_episode","curve":[…]},
 *    "held_out": [{"name","layers","schedules": {"<schedule>": {"test_acc_mean","test_acc_std","valid_acc_mean","wall_s_mean","diverged","runs":[…]}}}],
 *    "overall": {"<schedule>": {"test_acc_mean","test_acc_std","wall_s_mean","wins_vs_controller"}}, "load_avg", "wall_s"}
 *
 * 1. Learn: a fresh controller learns for --learn-episodes episodes over --learn-tasks networks
 *    sampled from a small action set (MLPs and CNNs of up to 3 layers: 4–8 filter convolutions,
 *    pooling, 16–32 unit dense layers, dropout 0.2), each trained for --epochs on a stratified
 *    --subset of Fashion-MNIST's training set (90 % train, 10 % validation).
 * 2. Apply: the learned controller (not learning any more, no fine-tuning) steers each of three
 *    held-out networks the action set cannot produce (wider and deeper), --seeds seeds each, and
 *    every baseline trains the same network from the same seed for the same epochs: constant
 *    Adam 1e-3, cosine decay to 0, step decay (×0.1 at 50 % and 75 %), and the best constant rate
 *    of the --grid by validation accuracy. Test accuracy is on the full 10,000 test images.
 *    wall_s of best-constant is the whole grid's.
 *
 * Figures depend on the machine's load: read them next to load_avg. On 2 shared cores with wasm,
 * the defaults take about 30 minutes; `--learn-episodes 12 --seeds 2 --subset 600 --epochs 3` a few.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { parseActionSet } from '../src/shared/action-set';
import { architectureHash, parseArchitecture } from '../src/shared/architecture';
import { describeLayers } from '../src/shared/layers';
import { SCHEDULES, TuningTaskSchema, type ScheduleName, type TuningTask } from '../src/shared/tuning';
import { isBackendChoice } from '../src/shared/backend';
import { initBackend } from '../src/engine/backends';
import { loadDataset, prepareData } from '../src/engine/data';
import { applyController, architectureDropout, Controller, learnController, sampleTasks } from '../src/engine/tuning';

const { values } = parseArgs({
  options: {
    'learn-episodes': { type: 'string', default: '40' },
    'learn-tasks': { type: 'string', default: '6' },
    seeds: { type: 'string', default: '5' },
    subset: { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '4' },
    'decisions-per-epoch': { type: 'string', default: '2' },
    'batch-size': { type: 'string', default: '64' },
    'freq-min': { type: 'string', default: '16' },
    'freq-max': { type: 'string', default: '128' },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'wasm' },
    baselines: { type: 'string', default: 'constant,cosine,step,best-constant' },
    grid: { type: 'string', default: '3e-4,1e-3,3e-3,1e-2' },
  },
  strict: true,
});

const integer = (name: string, min = 1): number => {
  const text = values[name as keyof typeof values] as string;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} needs a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
  return n;
};
const learnEpisodes = integer('learn-episodes', 0);
const learnTasks = integer('learn-tasks');
const seedCount = integer('seeds');
const subset = integer('subset', 20);
const epochs = integer('epochs');
const decisionsPerEpoch = integer('decisions-per-epoch');
const batchSize = integer('batch-size');
const freqMin = integer('freq-min', 2);
const freqMax = integer('freq-max', 2);
const seed = integer('seed', 0);
const baselines = values.baselines.split(',').map((s) => s.trim()).filter(Boolean) as ScheduleName[];
for (const b of baselines) if (!(SCHEDULES as readonly string[]).includes(b) || b === 'controller') throw new Error(`--baselines takes ${SCHEDULES.filter((s) => s !== 'controller').join(', ')}, got ${JSON.stringify(b)}`);
const grid = values.grid.split(',').map((g) => {
  const n = Number(g);
  if (!(n > 0)) throw new Error(`--grid needs learning rates > 0, got ${JSON.stringify(g)}`);
  return n;
});

/** What the controller learns on: small MLPs and CNNs. */
const LEARN_SET = parseActionSet({
  name: 'hpo-learn',
  maxLayers: 3,
  nodes: [
    { id: 'conv', layer: { type: 'conv2d', filters: [4, 8], kernel: 3 } },
    { id: 'pool', layer: { type: 'maxPool' } },
    { id: 'dense', layer: { type: 'dense', units: [16, 32] } },
    { id: 'drop', layer: { type: 'dropout', rate: 0.2 } },
  ],
  edges: [],
});

/** Held out: wider or deeper than anything LEARN_SET can produce. */
const HELD_OUT = [
  { name: 'mlp-128-64', layers: [{ type: 'flatten' }, { type: 'dense', units: 128 }, { type: 'dense', units: 64 }] },
  { name: 'cnn-16-32', layers: [{ type: 'conv2d', filters: 16, kernel: 3 }, { type: 'maxPool' }, { type: 'conv2d', filters: 32, kernel: 3 }, { type: 'maxPool' }, { type: 'dense', units: 64 }] },
  { name: 'cnn-12-drop', layers: [{ type: 'conv2d', filters: 12, kernel: 5 }, { type: 'maxPool' }, { type: 'dropout', rate: 0.25 }, { type: 'dense', units: 48 }, { type: 'dropout', rate: 0.25 }] },
];

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const std = (xs: number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};
const round = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

async function main(): Promise<void> {
  const started = performance.now();
  if (!isBackendChoice(values.backend)) throw new Error(`--backend: unknown backend ${JSON.stringify(values.backend)}`);
  const backend = await initBackend(values.backend);
  const dataset = await loadDataset({ name: 'fashion-mnist' });
  const data = prepareData(dataset, { subset, seed });
  const loadData = async () => data;
  const common = { dataset: 'fashion-mnist' as const, subset, epochs, batchSize, decisionsPerEpoch };

  const learnTasksList = sampleTasks({ actionSet: LEARN_SET, count: learnTasks, seed, ...common });
  const heldOut: TuningTask[] = HELD_OUT.map((h) => TuningTaskSchema.parse({ ...h, layers: parseArchitecture(h.layers).layers, ...common, initial: { learningRate: 1e-3, optimizer: 'adam', dropout: architectureDropout(parseArchitecture(h.layers).layers), weightDecay: 0 } }));
  const learnedHashes = new Set(learnTasksList.map((t) => architectureHash({ layers: t.layers })));
  for (const t of heldOut) if (learnedHashes.has(architectureHash({ layers: t.layers }))) throw new Error(`held-out ${t.name} is among the learning tasks`);

  // 1. Learn.
  const controller = Controller.create({ episodes: Math.max(1, learnEpisodes), seed, trainFrequencyMin: freqMin, trainFrequencyMax: Math.max(freqMin, freqMax) });
  const curve: object[] = [];
  const learnStarted = performance.now();
  if (learnEpisodes > 0) {
    await learnController({
      controller,
      tasks: learnTasksList,
      settings: controller.settings,
      episodesDone: 0,
      loadData,
      onEpisode: ({ episode, task, outcome }) => {
        const interventions = outcome.decisions.filter((d) => d.intervened);
        curve.push({
          episode,
          task: task.name,
          status: outcome.status,
          return: round(outcome.return, 3),
          final_valid_acc: round(outcome.finalValidAccuracy),
          interventions: interventions.length,
          lr_factors: interventions.map((d) => d.change?.lrFactor),
          threshold: round(controller.threshold.value, 3),
        });
        process.stderr.write(`learn ${episode}/${learnEpisodes} ${task.name} acc ${outcome.finalValidAccuracy.toFixed(3)} interventions ${interventions.length} threshold ${controller.threshold.value.toFixed(2)}\n`);
      },
    });
  }
  const learnSeconds = (performance.now() - learnStarted) / 1000;

  // 2. Apply to held-out networks against the baselines.
  const seeds = Array.from({ length: seedCount }, (_, i) => 1000 + i);
  const held: object[] = [];
  const overall = new Map<ScheduleName, { test: number[]; wall: number[]; wins: number }>();
  for (const task of heldOut) {
    const result = await applyController({ task, controller, fineTuneEpisodes: 0, baselines, seeds, loadData, rateGrid: grid });
    const bySchedule = new Map<ScheduleName, typeof result.runs>();
    for (const run of result.runs) bySchedule.set(run.schedule, [...(bySchedule.get(run.schedule) ?? []), run]);
    const controllerTest = new Map(result.runs.filter((r) => r.schedule === 'controller').map((r) => [r.seed, r.outcome.testAccuracy ?? 0]));
    const schedules: Record<string, object> = {};
    for (const [schedule, runs] of bySchedule) {
      const test = runs.map((r) => r.outcome.testAccuracy ?? 0);
      const wall = runs.map((r) => r.gridSeconds ?? r.outcome.seconds);
      const agg = overall.get(schedule) ?? { test: [], wall: [], wins: 0 };
      agg.test.push(...test);
      agg.wall.push(...wall);
      agg.wins += runs.filter((r) => (r.outcome.testAccuracy ?? 0) > (controllerTest.get(r.seed) ?? 0)).length;
      overall.set(schedule, agg);
      schedules[schedule] = {
        test_acc_mean: round(mean(test)),
        test_acc_std: round(std(test)),
        valid_acc_mean: round(mean(runs.map((r) => r.outcome.finalValidAccuracy))),
        wall_s_mean: round(mean(wall), 1),
        diverged: runs.filter((r) => r.outcome.status === 'diverged').length,
        runs: runs.map((r) => ({
          seed: r.seed,
          test_acc: round(r.outcome.testAccuracy ?? Number.NaN),
          status: r.outcome.status,
          ...(r.learningRate === undefined ? {} : { learning_rate: r.learningRate }),
          ...(schedule === 'controller'
            ? {
                interventions: r.outcome.decisions
                  .filter((d) => d.intervened)
                  .map((d) => ({ step: d.step, p: round(d.interveneProbability, 3), threshold: round(d.threshold, 3), ...d.change })),
                final_hyperparameters: r.outcome.epochs.at(-1)?.hyperparameters,
              }
            : {}),
        })),
      };
    }
    held.push({ name: task.name, layers: describeLayers(task.layers), schedules });
    process.stderr.write(`applied to ${task.name}\n`);
  }

  const out = {
    config: { learn_episodes: learnEpisodes, learn_tasks: learnTasksList.map((t) => `${t.name}: ${describeLayers(t.layers)}`), seeds, subset, epochs, decisions_per_epoch: decisionsPerEpoch, batch_size: batchSize, freq_min: freqMin, freq_max: freqMax, seed, backend: backend.tfBackend, baselines, grid },
    learn: {
      episodes: controller.episodes,
      wall_s: round(learnSeconds, 1),
      updates: controller.updates,
      update_frequency: controller.updateFrequency,
      threshold: round(controller.threshold.value, 3),
      interventions_per_episode: round(controller.episodes ? controller.interventions / controller.episodes : 0, 2),
      curve,
    },
    held_out: held,
    overall: Object.fromEntries(
      [...overall].map(([schedule, agg]) => [
        schedule,
        { test_acc_mean: round(mean(agg.test)), test_acc_std: round(std(agg.test)), wall_s_mean: round(mean(agg.wall), 1), ...(schedule === 'controller' ? {} : { runs_beating_controller: agg.wins, runs: agg.test.length }) },
      ]),
    ),
    load_avg: loadavg().map((l) => round(l, 2)),
    wall_s: round((performance.now() - started) / 1000, 1),
  };
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:hpo: ${(error as Error).message}\n`);
  process.exit(1);
});
