/**
 * Benchmark databases: runs written through the store's real write path (recordEvent), with
 * seeded pseudo-random metrics so every build is the same database; and the benches' integer flags.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createRng } from '../../src/engine/random';
import type { HistoryStore } from '../../src/main/db/history-store';
import type { SearchEvent } from '../../src/shared/events';
import { RunConfigSchema } from '../../src/shared/run-config';

/** `--name N` integer flags with defaults: `intFlags({ runs: 100 })` → `{ runs: 100 }` or what was passed. */
export function intFlags<T extends Record<string, number>>(defaults: T): T {
  const options = Object.fromEntries(Object.keys(defaults).map((name) => [name, { type: 'string' as const }]));
  const { values } = parseArgs({ options, strict: true });
  const result = { ...defaults };
  for (const [name, text] of Object.entries(values)) {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer, got "${text}"`);
    (result as Record<string, number>)[name] = value;
  }
  return result;
}

export interface FakeRunOptions {
  name: string;
  candidates: number;
  epochs: number;
  settingsKey: string;
  /** Also write a checkpoint with each candidate and an agent update every 10 (the search's real write load). */
  withAgentState?: boolean;
}

const rng = createRng(12345);
const rand = () => rng.next();

/** Writes one completed run of dense networks and returns its id; `onEvent` counts the writes. */
export function writeFakeRun(store: HistoryStore, options: FakeRunOptions, onEvent: () => void = () => undefined): string {
  const { candidates, epochs } = options;
  const config = RunConfigSchema.parse({
    name: options.name,
    evaluator: 'training',
    strategy: 'ppo',
    budget: candidates,
    seed: 0,
    dataset: 'fashion-mnist',
    actionSet: { name: 'bench', nodes: [{ id: 'd', layer: { type: 'dense', units: [64, 128, 256], activation: ['relu', 'tanh'] } }] },
  });
  const runId = randomUUID();
  store.createRun({ id: runId, config, ownerPid: process.pid });
  store.setRunEnvironment(runId, { backend: 'cpu', device: 'bench', settingsKey: options.settingsKey });
  store.markRunning(runId, process.pid);
  const record = (event: SearchEvent, extras?: Parameters<HistoryStore['recordEvent']>[2]) => {
    onEvent();
    store.recordEvent(runId, event, extras);
  };
  record({ type: 'run_started', runId, strategy: 'ppo', evaluator: 'training', budget: candidates, evaluations: 0 });
  for (let index = 0; index < candidates; index++) {
    const units = [64, 128, 256].filter(() => rand() < 0.6);
    const hash = `arch-${units.join('-')}-${Math.floor(rand() * 2000)}`;
    record({
      type: 'candidate_proposed',
      index,
      action: units.map((u) => u / 64),
      label: units.length ? units.map((u) => `dense ${u} relu`).join(' → ') : '(classifier head only)',
      hash,
      architecture: { layers: units.map((u) => ({ type: 'dense', units: u, activation: 'relu' })) },
    });
    const ceiling = 0.6 + 0.35 * rand();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const progress = epoch / epochs;
      record({
        type: 'epoch_done',
        index,
        metrics: {
          epoch,
          trainLoss: 2 * (1 - progress) + 0.1 * rand(),
          trainAccuracy: ceiling * progress + 0.02,
          validLoss: 2.1 * (1 - progress) + 0.1 * rand(),
          validAccuracy: ceiling * progress,
          seconds: 1 + rand(),
          imagesPerSecond: 5000 + 1000 * rand(),
        },
      });
    }
    const finished: SearchEvent = {
      type: 'candidate_finished',
      index,
      status: 'completed',
      signal: ceiling,
      reward: ceiling,
      cached: rand() < 0.1,
      params: 10_000 + Math.floor(rand() * 200_000),
      testAccuracy: ceiling - 0.01,
      seconds: 3 + 10 * rand(),
    };
    if (!options.withAgentState) {
      record(finished);
      continue;
    }
    record(finished, { checkpoint: { evaluations: index + 1, strategy: { weights: Array.from({ length: 64 }, rand) } } });
    if (index % 10 === 9) record({ type: 'agent_updated', iteration: (index + 1) / 10, evaluations: index + 1, diagnostics: { loss: rand(), entropy: rand() } });
  }
  record({ type: 'run_finished', status: 'completed', evaluations: candidates, cacheHits: 0 });
  return runId;
}
