/** Shared fixtures for the history store tests: temp database files, configs and event sequences. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { HistoryStore } from '../../../src/main/db/history-store';
import type { SearchEvent } from '../../../src/shared/events';
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '../../../src/shared/run-config';
import type { EpochMetrics } from '../../../src/shared/training';

const dirs: string[] = [];
const stores: HistoryStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder in the OS temp dir, removed after the test. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gennerator-history-'));
  dirs.push(dir);
  return dir;
}

/** A store on a fresh file, closed after the test. */
export function openStore(file = path.join(tempDir(), 'history.sqlite')): HistoryStore {
  const store = HistoryStore.open(file);
  stores.push(store);
  return store;
}

export function makeConfig(overrides: Partial<RunConfigInput> = {}): RunConfig {
  return RunConfigSchema.parse({ evaluator: 'nb201', strategy: 'random', budget: 10, seed: 1, ...overrides });
}

export function createRun(store: HistoryStore, overrides: Partial<RunConfigInput> = {}, settingsKey = 'settings-A'): string {
  const id = randomUUID();
  store.createRun({ id, config: makeConfig(overrides), ownerPid: process.pid });
  store.setRunEnvironment(id, { backend: 'cpu', device: 'test cpu', settingsKey });
  return id;
}

export function epoch(n: number, validAccuracy: number, trainLoss = 1 / n): EpochMetrics {
  return { epoch: n, trainLoss, trainAccuracy: validAccuracy + 0.05, validLoss: trainLoss * 1.1, validAccuracy, seconds: 0.5, imagesPerSecond: 1000 };
}

export interface CandidateSpec {
  hash?: string;
  signal: number;
  reward?: number;
  epochs?: number[];
  cached?: boolean;
  status?: 'completed' | 'diverged' | 'failed' | 'pruned';
  testAccuracy?: number;
  params?: number;
  error?: string;
}

export function proposed(index: number, hash = `h${index}`): SearchEvent {
  return { type: 'candidate_proposed', index, action: [index % 3, 1, 0], label: `net ${hash}`, hash, architecture: { layers: [{ type: 'dense', units: 8 }] } };
}

export function finished(index: number, spec: CandidateSpec): SearchEvent {
  return {
    type: 'candidate_finished',
    index,
    status: spec.status ?? 'completed',
    signal: spec.signal,
    reward: spec.reward ?? spec.signal,
    cached: spec.cached ?? false,
    params: spec.params ?? 1000 + index,
    testAccuracy: spec.testAccuracy ?? spec.signal - 0.01,
    error: spec.error,
    seconds: 2 + index,
    ...(spec.epochs?.length ? { epochsReached: spec.epochs.length } : {}),
  };
}

/** Proposes, trains (one epoch_done per listed validation accuracy) and finishes one candidate. */
export function recordCandidate(store: HistoryStore, runId: string, index: number, spec: CandidateSpec): void {
  store.recordEvent(runId, proposed(index, spec.hash));
  (spec.epochs ?? []).forEach((acc, i) => store.recordEvent(runId, { type: 'epoch_done', index, metrics: epoch(i + 1, acc) }));
  store.recordEvent(runId, finished(index, spec));
}

/** Row counts of every table, read through a second connection. */
export function rowCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = ['runs', 'candidates', 'epochs', 'agent_updates', 'checkpoints', 'models', 'exports', 'action_sets'];
    return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

/** Runs a query on a second connection (what another reader would see). */
export function query<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
