/**
 * Rows as SQLite returns them (snake_case columns) and how they become the history's types. The
 * run and candidate rows are read through one column reader; each list of columns is the only
 * place that says which column a field comes from.
 */
import { withoutStackTrace, type CandidateRow, type RunSummary } from '../../../shared/history';
import type { CandidateStatus, RunStatus } from '../../../shared/run-config';
import type { EpochMetrics } from '../../../shared/training';

export interface RunRaw {
  id: string;
  name: string | null;
  status: RunStatus;
  status_reason: string | null;
  failed_during: 'setup' | 'search' | null;
  config: string;
  strategy: string;
  evaluator: string;
  dataset: string | null;
  mode: string | null;
  seed: number | null;
  budget: number;
  backend: string | null;
  device: string | null;
  settings_key: string | null;
  owner_pid: number | null;
  heartbeat_at: number | null;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  finished_at: number | null;
  evaluations: number;
  cache_hits: number;
  best_index: number | null;
  best_signal: number | null;
  best_test_acc: number | null;
  best_label: string | null;
  run_ms: number;
  measured_at: number;
  warm_start_evaluations: number | null;
  warm_start_runs: number | null;
}

export interface CandidateRaw {
  id: number;
  run_id: string;
  idx: number;
  status: CandidateStatus;
  arch_hash: string;
  label: string;
  params: number | null;
  reward: number | null;
  valid_acc: number | null;
  best_valid_acc: number | null;
  valid_loss: number | null;
  train_acc: number | null;
  train_loss: number | null;
  test_acc: number | null;
  seconds: number | null;
  error: string | null;
  cached: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  epochs_reached: number | null;
  prediction_mean: number | null;
  prediction_std: number | null;
}

export interface EpochRaw {
  candidate_id: number;
  epoch: number;
  train_loss: number | null;
  train_acc: number | null;
  valid_loss: number | null;
  valid_acc: number | null;
  seconds: number | null;
  images_per_second: number | null;
  backprop_share: number | null;
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type FieldOf<C extends string, Renamed> = C extends keyof Renamed ? Renamed[C] & string : CamelCase<C>;

type ColumnReader<Column extends string, Renamed> = (<Raw extends Record<Column, unknown>>(raw: Raw) => { [C in Column as FieldOf<C, Renamed>]: Raw[C] }) & {
  /** The column each field is read from. */
  readonly columnOf: ReadonlyMap<string, string>;
};

/**
 * Reads the listed columns into an object: each under its camelCase name, or the name `renamed`
 * gives it. Typed column by column, so assigning a reader to `(raw: Raw) => Row` checks that every
 * field of Row comes from a column of Raw with a fitting type.
 */
function columnReader<const Columns extends readonly string[], const Renamed extends { readonly [C in Columns[number]]?: string } = object>(
  columns: Columns,
  renamed?: Renamed,
): ColumnReader<Columns[number], Renamed> {
  const fields = columns.map((column): [string, string] => [
    (renamed as Record<string, string> | undefined)?.[column] ?? column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
    column,
  ]);
  const read = (raw: Record<string, unknown>): Record<string, unknown> => {
    const row: Record<string, unknown> = {};
    for (const [field, column] of fields) row[field] = raw[column];
    return row;
  };
  return Object.assign(read as ColumnReader<Columns[number], Renamed>, { columnOf: new Map(fields) });
}

const RUN_SUMMARY_COLUMNS = ['id', 'name', 'status', 'status_reason', 'failed_during', 'strategy', 'evaluator', 'dataset', 'mode', 'budget', 'evaluations',
  'cache_hits', 'best_index', 'best_signal', 'best_test_acc', 'best_label', 'backend', 'device', 'created_at', 'started_at', 'finished_at',
  'updated_at', 'run_ms', 'measured_at'] as const;

const CANDIDATE_ROW_COLUMNS = ['run_id', 'idx', 'status', 'arch_hash', 'label', 'params', 'reward', 'valid_acc', 'best_valid_acc',
  'valid_loss', 'train_acc', 'train_loss', 'test_acc', 'seconds', 'error', 'cached', 'created_at', 'updated_at', 'finished_at', 'epochs_reached', 'prediction_mean', 'prediction_std'] as const;

const CANDIDATE_RENAMED = { idx: 'index', arch_hash: 'hash' } as const;

/**
 * Now, in epoch milliseconds, as SQLite reads the clock (to the millisecond). Rounded: a Julian day
 * as a double holds it only to ~50 µs, and truncating put it 1 ms before Date.now() taken earlier.
 */
const SQL_NOW_MS = `CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)`;

/**
 * When each candidate of run r was being evaluated: from its proposal to its end, or to now while
 * it trains in a running run. A candidate left unfinished (stopped, or the app closed) counts the
 * epochs it trained, not the time until someone noticed.
 */
const CANDIDATE_SPANS = `SELECT c.idx, c.created_at AS s,
    CASE WHEN c.finished_at IS NOT NULL THEN c.finished_at
         WHEN c.status = 'running' AND r.status = 'running' THEN ${SQL_NOW_MS}
         ELSE c.created_at + 1000 * coalesce((SELECT sum(x.seconds) FROM epochs x WHERE x.candidate_id = c.id), 0) END AS e
  FROM candidates c WHERE c.run_id = r.id`;

/**
 * The time a run actually ran, in ms: the union of its candidates' spans. Pauses and time the app was
 * closed fall between candidates, so they do not count. One worker's spans follow one another: their
 * sum. Parallel workers' overlap and count once: each span adds what lies beyond the latest end of
 * the spans before it (candidates are proposed in index order, so the index orders their starts).
 */
const RUN_MS = `CASE WHEN coalesce(json_extract(r.config, '$.workers'), 1) > 1
  THEN (SELECT coalesce(sum(max(0, e - max(s, coalesce(before, s)))), 0) FROM (
    SELECT s, e, max(e) OVER (ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM (${CANDIDATE_SPANS})))
  ELSE (SELECT coalesce(sum(max(0, e - s)), 0) FROM (${CANDIDATE_SPANS})) END`;

/** A run with the label of its best candidate and the time it ran (runs r). */
export const RUN_COLUMNS = `r.*, (SELECT label FROM candidates b WHERE b.run_id = r.id AND b.idx = r.best_index) AS best_label,
  ${RUN_MS} AS run_ms, ${SQL_NOW_MS} AS measured_at`;
/** A candidate's CandidateRaw columns (candidates c). */
export const CANDIDATE_COLUMNS = ['id', ...CANDIDATE_ROW_COLUMNS].map((column) => `c.${column}`).join(', ');

const readRunSummary = columnReader(RUN_SUMMARY_COLUMNS);

/** A run as the history shows it; a reason recorded with a stack trace (before they were kept out) shows without it. */
export function toRunSummary(raw: RunRaw): RunSummary {
  const run: RunSummary = readRunSummary(raw);
  return run.statusReason === null ? run : { ...run, statusReason: withoutStackTrace(run.statusReason) };
}

const readCandidate = columnReader(CANDIDATE_ROW_COLUMNS, CANDIDATE_RENAMED);

/** The candidates column a CandidateRow field is read from (to sort by it). */
export function candidateColumn(field: keyof CandidateRow): string {
  return readCandidate.columnOf.get(field) as string;
}

export function toCandidateRow(raw: CandidateRaw): CandidateRow {
  const row = readCandidate(raw);
  return { ...row, error: row.error === null ? null : withoutStackTrace(row.error), cached: raw.cached === 1 };
}

/** SQLite keeps NaN as NULL; epoch metrics are numbers, so NULL reads back as NaN. */
export function toEpoch(row: EpochRaw): EpochMetrics {
  const n = (v: number | null): number => v ?? Number.NaN;
  return {
    epoch: row.epoch,
    trainLoss: n(row.train_loss),
    trainAccuracy: n(row.train_acc),
    validLoss: n(row.valid_loss),
    validAccuracy: n(row.valid_acc),
    seconds: n(row.seconds),
    imagesPerSecond: n(row.images_per_second),
    ...(row.backprop_share === null ? {} : { backpropShare: row.backprop_share }),
  };
}
