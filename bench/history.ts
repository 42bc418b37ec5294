/**
 * History store queries at scale. Builds a temporary database of 100 runs × 100 candidates ×
 * 20 epochs through recordEvent (the real write path, one transaction per event), then times the
 * history list, a sorted candidate page and a 5-run comparison (medians of 20 repetitions).
 *
 * `npx tsx bench/history.ts [--runs N --candidates N --epochs N]` prints one JSON line:
 *   {"runs_list_ms":…,"candidates_page_ms":…,"compare_5_runs_ms":…,"build_s":…,"db_mb":…,"events":…}
 * Target: each query under 50 ms.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HistoryStore } from '../src/main/db/history-store';
import { RunConfigSchema } from '../src/shared/run-config';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
}

const RUNS = flag('runs', 100);
const CANDIDATES = flag('candidates', 100);
const EPOCHS = flag('epochs', 20);
const REPS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(fn: () => unknown): number {
  fn(); // warm the statement cache and the page cache
  const samples: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return Math.round(median(samples) * 1000) / 1000;
}

// Deterministic pseudo-random numbers, so every build is the same database.
let seed = 12345;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gennerator-bench-history-'));
const file = path.join(dir, 'history.sqlite');
try {
  const store = HistoryStore.open(file);
  const config = RunConfigSchema.parse({
    evaluator: 'training',
    strategy: 'ppo',
    budget: CANDIDATES,
    seed: 0,
    dataset: 'fashion-mnist',
    actionSet: { name: 'bench', nodes: [{ id: 'd', layer: { type: 'dense', units: [64, 128, 256], activation: ['relu', 'tanh'] } }] },
  });
  const runIds: string[] = [];
  let events = 0;
  const buildStart = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const runId = randomUUID();
    runIds.push(runId);
    store.createRun({ id: runId, config: { ...config, name: `bench run ${r}` }, ownerPid: process.pid });
    store.setRunEnvironment(runId, { backend: 'cpu', device: 'bench', settingsKey: `key-${r % 4}` });
    store.markRunning(runId, process.pid);
    const record: typeof store.recordEvent = (...args) => {
      events++;
      store.recordEvent(...args);
    };
    record(runId, { type: 'run_started', runId, strategy: 'ppo', evaluator: 'training', budget: CANDIDATES, evaluations: 0 });
    for (let i = 0; i < CANDIDATES; i++) {
      const hash = `arch-${Math.floor(rand() * 2000)}`;
      const action = [1 + (i % 6), 1 + ((i * 7) % 6), 0];
      record(runId, {
        type: 'candidate_proposed',
        index: i,
        action,
        label: `dense ${hash}`,
        hash,
        architecture: { layers: action.filter((a) => a > 0).map((a) => ({ type: 'dense', units: 64 * a, activation: 'relu' })) },
      });
      const ceiling = 0.6 + 0.35 * rand();
      for (let e = 1; e <= EPOCHS; e++) {
        const progress = e / EPOCHS;
        record(runId, {
          type: 'epoch_done',
          index: i,
          metrics: {
            epoch: e,
            trainLoss: 2 * (1 - progress) + 0.1 * rand(),
            trainAccuracy: ceiling * progress + 0.02,
            validLoss: 2.1 * (1 - progress) + 0.1 * rand(),
            validAccuracy: ceiling * progress,
            seconds: 1 + rand(),
            imagesPerSecond: 5000 + 1000 * rand(),
          },
        });
      }
      const cached = rand() < 0.1;
      record(
        runId,
        { type: 'candidate_finished', index: i, status: 'completed', signal: ceiling, reward: ceiling, cached, params: 10_000 + i, testAccuracy: ceiling - 0.01, seconds: 30 },
        { checkpoint: { evaluations: i + 1, strategy: { weights: Array.from({ length: 64 }, rand) } } },
      );
      if (i % 10 === 9) record(runId, { type: 'agent_updated', iteration: (i + 1) / 10, evaluations: i + 1, diagnostics: { loss: rand(), entropy: rand() } });
    }
    record(runId, { type: 'run_finished', status: 'completed', evaluations: CANDIDATES, cacheHits: 0 });
  }
  const buildSeconds = (performance.now() - buildStart) / 1000;

  const middle = runIds[runIds.length >> 1];
  const five = runIds.slice(0, 5);
  const result = {
    runs_list_ms: time(() => store.listRuns()),
    candidates_page_ms: time(() => store.listCandidates(middle, { sortBy: 'validAcc', order: 'desc', limit: 50 })),
    compare_5_runs_ms: time(() => store.compareSeries(five)),
    build_s: Math.round(buildSeconds * 100) / 100,
    db_mb: 0,
    events,
  };
  store.close(); // checkpoints the WAL into the main file, so its size is the database's
  result.db_mb = Math.round((fs.statSync(file).size / 2 ** 20) * 10) / 10;
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
