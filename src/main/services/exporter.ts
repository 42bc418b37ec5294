/**
 * Getting results out: a candidate's trained model in TensorFlow.js layers format (model.json +
 * weights.bin) with its architecture, and a run's history as JSON and CSV. Every export is recorded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { tf } from '../../engine/tf';
import { writeLayersModel } from '../../engine/model/artifact';
import type { HistoryStore } from '../db/history-store';
import type { CandidateDetail } from '../../shared/history';

export class ExportError extends Error {
  override name = 'ExportError';
}

export interface CandidateExport {
  runId: string;
  index: number;
  /** The candidate whose weights were written (itself, or the one a cached candidate reused). */
  weightsFrom: { runId: string; index: number };
  files: string[];
  testAcc: number | null;
  validAcc: number | null;
}

/** Whether an export is recorded in the history where it was written (not when it is written only to be packed into a zip). */
export interface ExportOptions {
  record?: boolean;
}

/** Writes `dir/model.json`, `dir/weights.bin` and `dir/architecture.json` for one candidate. */
export function exportCandidate(store: HistoryStore, runId: string, index: number, dir: string, options: ExportOptions = {}): CandidateExport {
  const candidate = store.getCandidate(runId, index);
  if (!candidate) throw new ExportError(`run ${runId} has no candidate ${index}`);
  if (candidate.status !== 'completed') throw new ExportError(`candidate ${index} of run ${runId} is ${candidate.status}: only a completed candidate has a trained model`);
  const weightsFrom = candidate.cached && candidate.cachedFrom ? candidate.cachedFrom : { runId, index };
  const model = store.getModel(weightsFrom.runId, weightsFrom.index);
  if (!model) {
    throw new ExportError(
      `the weights of candidate ${index} of run ${runId} were not kept (a run keeps each new best's; start it with --keep-models all to keep every candidate's)`,
    );
  }
  const out = resolve(dir);
  const files = writeLayersModel(out, {
    topology: model.topology as object,
    weightSpecs: model.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData: model.weightData,
  });
  const architecture = join(out, 'architecture.json');
  writeFileSync(architecture, `${JSON.stringify(candidate.architecture, null, 2)}\n`);
  files.push(architecture);
  if (options.record !== false) store.recordExport({ runId, index, kind: 'model', path: out });
  return { runId, index, weightsFrom, files, testAcc: candidate.testAcc, validAcc: candidate.validAcc };
}

/**
 * What the CLI's `export` and the app's export buttons write: one candidate, or for a whole run
 * (no index) its best candidate and the run's history. `dirFor` picks the directory once the
 * candidate is known.
 */
export function exportTarget(store: HistoryStore, runId: string, index: number | undefined, dirFor: (index: number) => string, options: ExportOptions = {}): CandidateExport {
  const run = store.getRun(runId);
  if (!run) throw new ExportError(`no run ${runId}`);
  const chosen = index ?? run.bestIndex;
  if (chosen === null) throw new ExportError(`run ${runId} has no finished candidate yet`);
  const dir = dirFor(chosen);
  const model = exportCandidate(store, runId, chosen, dir, options);
  const history = index === undefined ? exportRunHistory(store, runId, dir, options) : [];
  return { ...model, files: [...model.files, ...history] };
}

/** Writes `dir/history.json` (run, config, candidates with epochs, agent updates) and `candidates.csv`, `epochs.csv`. */
export function exportRunHistory(store: HistoryStore, runId: string, dir: string, options: ExportOptions = {}): string[] {
  const run = store.getRun(runId);
  if (!run) throw new ExportError(`no run ${runId}`);
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const { rows } = store.listCandidates(runId, { sortBy: 'index', order: 'asc', limit: Number.MAX_SAFE_INTEGER });
  const candidates = rows.map((row) => store.getCandidate(runId, row.index)).filter((c): c is CandidateDetail => c !== undefined);
  const history = { run, candidates, agentUpdates: store.agentUpdates(runId) };
  const files = [join(out, 'history.json'), join(out, 'candidates.csv'), join(out, 'epochs.csv')];
  writeFileSync(files[0], `${JSON.stringify(history, null, 2)}\n`);
  writeFileSync(
    files[1],
    toCsv(
      ['index', 'status', 'arch_hash', 'label', 'params', 'reward', 'valid_acc', 'test_acc', 'train_loss', 'valid_loss', 'seconds', 'cached', 'error', 'epochs_reached'],
      candidates.map((c) => [c.index, c.status, c.hash, c.label, c.params, c.reward, c.validAcc, c.testAcc, c.trainLoss, c.validLoss, c.seconds, c.cached, c.error, c.epochsReached]),
    ),
  );
  writeFileSync(
    files[2],
    toCsv(
      ['index', 'epoch', 'train_loss', 'train_acc', 'valid_loss', 'valid_acc', 'seconds', 'images_per_second'],
      candidates.flatMap((c) => c.epochs.map((e) => [c.index, e.epoch, e.trainLoss, e.trainAccuracy, e.validLoss, e.validAccuracy, e.seconds, e.imagesPerSecond])),
    ),
  );
  if (options.record !== false) store.recordExport({ runId, index: run.bestIndex ?? -1, kind: 'history', path: out });
  return files;
}

/** RFC 4180: quote fields holding a comma, quote or newline; null/undefined are empty. */
export function toCsv(header: string[], rows: unknown[][]): string {
  const field = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\n') + '\n';
}
