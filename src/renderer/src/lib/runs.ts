/** Runs as every view names and reads them, whichever feature shows them. */
import type { RunSummary } from '../../../shared/history';
import { datasetInput } from '../../../shared/run-config';

/** A run id as the views show it: its first eight characters. */
export function shortRunId(id: string): string {
  return id.slice(0, 8);
}

/** The name people see: the given one, or the short id. */
export function runDisplayName(run: Pick<RunSummary, 'id' | 'name'>): string {
  return run.name?.trim() || shortRunId(run.id);
}

/** What a run's networks take in and put out, for drawing them with shapes (none for NAS-Bench-201 cells). */
export function networkInput(run: { evaluator: string; dataset?: string | null }) {
  return datasetInput(run.evaluator === 'training' ? run.dataset : null);
}
