/** Runs as every view names and reads them, whichever feature shows them. */
import type { RunSummary } from '../../../shared/history';
import { configInput, type FolderImage } from '../../../shared/run-config';

/** A run id as the views show it: its first eight characters. */
export function shortRunId(id: string): string {
  return id.slice(0, 8);
}

/** The name people see: the given one, or the short id. */
export function runDisplayName(run: Pick<RunSummary, 'id' | 'name'>): string {
  return run.name?.trim() || shortRunId(run.id);
}

type DataFields = { dataset?: string | null; image?: FolderImage };

/**
 * What a run's networks take in and put out, for drawing them with shapes (none for NAS-Bench-201
 * cells); a folder's from its config (its classes are not counted here: the graph's head assumes 10).
 */
export function networkInput(run: { evaluator: string; config?: DataFields } & DataFields) {
  return run.evaluator === 'training' ? configInput(run.config ?? run) : undefined;
}
