/**
 * Reading the history: runs (the list, one run, an id from its prefix), a run's candidates (a
 * sorted page, one in detail, the signal series of several runs), one architecture across runs,
 * and a run's agent updates.
 */
import type { z } from 'zod';
import { PolicySnapshotSchema, RewardPartsSchema } from '../../../shared/events';
import {
  CANDIDATE_SORT_KEYS,
  type AgentUpdateRow,
  type AnalysisCandidate,
  type ArchitectureOccurrence,
  type CandidateDetail,
  type CandidatePage,
  type ListCandidatesOptions,
  type ListRunsOptions,
  type RunDetail,
  type RunSeries,
  type RunSummary,
  type SeriesPoint,
} from '../../../shared/history';
import { CANDIDATE_STATUSES, type CandidateStatus, type RunConfig } from '../../../shared/run-config';
import { HistoryStoreError } from '../errors';
import { FINISHED_SQL, type HistoryDb } from './history-db';
import { CANDIDATE_COLUMNS, RUN_COLUMNS, candidateColumn, toCandidateRow, toEpoch, toRunSummary, type CandidateRaw, type EpochRaw, type RunRaw } from './rows';

const DEFAULT_PAGE = 100;

/** Runs, newest first. */
export function listRuns(db: HistoryDb, options: ListRunsOptions = {}): RunSummary[] {
  const where: string[] = [];
  const params: unknown[] = [];
  const statuses = asList(options.status);
  if (statuses.length) {
    where.push(`r.status IN ${placeholders(statuses)}`);
    params.push(...statuses);
  }
  const text = options.text?.trim();
  if (text) {
    const like = escapeLike(text);
    where.push(`(r.name LIKE ? ESCAPE '\\' OR r.id LIKE ? ESCAPE '\\' OR r.dataset LIKE ? ESCAPE '\\' OR r.strategy LIKE ? ESCAPE '\\')`);
    params.push(`%${like}%`, `${like}%`, `%${like}%`, `%${like}%`);
  }
  const sql = `SELECT ${RUN_COLUMNS} FROM runs r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY r.created_at DESC, r.rowid DESC LIMIT ? OFFSET ?`;
  const rows = db.stmt(sql).all(...params, pageLimit(options.limit), pageOffset(options.offset)) as RunRaw[];
  return rows.map(toRunSummary);
}

export function getRun(db: HistoryDb, id: string): RunDetail | undefined {
  const row = db.stmt(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = ?`).get(id) as RunRaw | undefined;
  if (!row) return undefined;
  return {
    ...toRunSummary(row),
    config: JSON.parse(row.config) as RunConfig,
    settingsKey: row.settings_key,
    warmStart: row.warm_start_evaluations === null ? null : { evaluations: row.warm_start_evaluations, runs: row.warm_start_runs ?? 0 },
    seed: row.seed,
    ownerPid: row.owner_pid,
    heartbeatAt: row.heartbeat_at,
  };
}

/** The full id of the one run whose id is or starts with `prefix` (case-insensitive). */
export function resolveRunId(db: HistoryDb, prefix: string): string {
  const wanted = prefix.trim();
  if (!wanted) throw new HistoryStoreError('no run id given');
  const exact = db.stmt(`SELECT id FROM runs WHERE id = ?`).get(wanted) as { id: string } | undefined;
  if (exact) return exact.id;
  const rows = db.stmt(`SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 5`).all(`${escapeLike(wanted)}%`) as Array<{ id: string }>;
  if (rows.length === 0) throw new HistoryStoreError(`no run id starts with "${wanted}"`);
  if (rows.length > 1) {
    const shown = rows.slice(0, 4).map((r) => r.id);
    throw new HistoryStoreError(`"${wanted}" matches more than one run (${shown.join(', ')}${rows.length > 4 ? ', …' : ''}): give more characters`);
  }
  return rows[0].id;
}

/** A page of a run's candidates, sorted with nulls last and the index breaking ties. */
export function listCandidates(db: HistoryDb, runId: string, options: ListCandidatesOptions = {}): CandidatePage {
  const sortBy = options.sortBy ?? 'index';
  if (!CANDIDATE_SORT_KEYS.includes(sortBy)) throw new HistoryStoreError(`cannot sort candidates by "${sortBy}"`);
  const order = options.order === 'desc' ? 'DESC' : 'ASC';
  const statuses = asList(options.status);
  for (const s of statuses) if (!CANDIDATE_STATUSES.includes(s)) throw new HistoryStoreError(`unknown candidate status "${s}"`);
  const indices = options.indices === undefined ? [] : [JSON.stringify(options.indices)];
  const filter = `c.run_id = ?${statuses.length ? ` AND c.status IN ${placeholders(statuses)}` : ''}${indices.length ? ' AND c.idx IN (SELECT value FROM json_each(?))' : ''}`;
  const orderBy = sortBy === 'index' ? `c.idx ${order}` : `c.${candidateColumn(sortBy)} ${order} NULLS LAST, c.idx ASC`;
  const total = (db.stmt(`SELECT count(*) AS n FROM candidates c WHERE ${filter}`).get(runId, ...statuses, ...indices) as { n: number }).n;
  const rows = db
    .stmt(`SELECT ${CANDIDATE_COLUMNS} FROM candidates c WHERE ${filter} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
    .all(runId, ...statuses, ...indices, pageLimit(options.limit), pageOffset(options.offset)) as CandidateRaw[];
  return { total, rows: rows.map(toCandidateRow) };
}

export function getCandidate(db: HistoryDb, runId: string, index: number): CandidateDetail | undefined {
  const row = db
    .stmt(
      `SELECT ${CANDIDATE_COLUMNS}, c.architecture, c.action, c.reward_parts, src.run_id AS src_run, src.idx AS src_idx,
         EXISTS (SELECT 1 FROM models m WHERE m.candidate_id = c.id) AS has_model
       FROM candidates c LEFT JOIN candidates src ON src.id = c.cached_from
       WHERE c.run_id = ? AND c.idx = ?`,
    )
    .get(runId, index) as
    | (CandidateRaw & { architecture: string | null; action: string; reward_parts: string | null; src_run: string | null; src_idx: number | null; has_model: number })
    | undefined;
  if (!row) return undefined;
  const epochs = (db.stmt(`SELECT * FROM epochs WHERE candidate_id = ? ORDER BY epoch`).all(row.id) as EpochRaw[]).map(toEpoch);
  const detail: CandidateDetail = {
    ...toCandidateRow(row),
    epochs,
    architecture: row.architecture === null ? null : (JSON.parse(row.architecture) as unknown),
    action: JSON.parse(row.action) as number[],
    hasModel: row.has_model === 1,
    rewardParts: storedJson(RewardPartsSchema, row.reward_parts),
  };
  if (row.src_run !== null && row.src_idx !== null) detail.cachedFrom = { runId: row.src_run, index: row.src_idx };
  return detail;
}

/** Finished candidates by index, with the best signal so far. */
export function runSeries(db: HistoryDb, runId: string): SeriesPoint[] {
  return compareSeries(db, [runId])[0].series;
}

/** Per run, its finished candidates by index with the best signal so far (of those evaluated to the end). */
export function compareSeries(db: HistoryDb, runIds: readonly string[]): RunSeries[] {
  if (runIds.length === 0) return [];
  const rows = db
    .stmt(
      `SELECT run_id, idx, reward, valid_acc, status = 'pruned' AS pruned, prediction_mean, prediction_std FROM candidates
       WHERE run_id IN (SELECT value FROM json_each(?)) AND status IN ${FINISHED_SQL} ORDER BY run_id, idx`,
    )
    .all(JSON.stringify(runIds)) as Array<{
    run_id: string;
    idx: number;
    reward: number | null;
    valid_acc: number | null;
    pruned: number;
    prediction_mean: number | null;
    prediction_std: number | null;
  }>;
  const byRun = new Map<string, SeriesPoint[]>(runIds.map((id) => [id, []]));
  let best: number | null = null;
  let current: string | undefined;
  for (const row of rows) {
    if (row.run_id !== current) {
      current = row.run_id;
      best = null;
    }
    const pruned = row.pruned === 1 ? true : undefined;
    if (!pruned && row.valid_acc !== null && (best === null || row.valid_acc > best)) best = row.valid_acc;
    const prediction = row.prediction_mean === null ? undefined : { mean: row.prediction_mean, std: row.prediction_std ?? 0 };
    byRun.get(row.run_id)?.push({ index: row.idx, reward: row.reward, signal: row.valid_acc, bestSoFar: best, ...(pruned ? { pruned } : {}), ...(prediction ? { prediction } : {}) });
  }
  return runIds.map((runId) => ({ runId, series: byRun.get(runId) ?? [] }));
}

/** Every evaluation of one architecture, across runs, oldest first. */
export function architectureHistory(db: HistoryDb, hash: string): ArchitectureOccurrence[] {
  const rows = db
    .stmt(
      `SELECT ${CANDIDATE_COLUMNS}, r.name AS run_name, r.settings_key FROM candidates c JOIN runs r ON r.id = c.run_id
       WHERE c.arch_hash = ? ORDER BY c.created_at, c.id`,
    )
    .all(hash) as Array<CandidateRaw & { run_name: string | null; settings_key: string | null }>;
  return rows.map((row) => ({ ...toCandidateRow(row), runName: row.run_name, settingsKey: row.settings_key }));
}

export function agentUpdates(db: HistoryDb, runId: string): AgentUpdateRow[] {
  const rows = db
    .stmt(`SELECT iteration, evaluations, diagnostics, policy, created_at FROM agent_updates WHERE run_id = ? ORDER BY iteration`)
    .all(runId) as Array<{ iteration: number; evaluations: number; diagnostics: string; policy: string | null; created_at: number }>;
  return rows.map((row) => ({
    iteration: row.iteration,
    evaluations: row.evaluations,
    diagnostics: JSON.parse(row.diagnostics) as Record<string, number>,
    policy: storedJson(PolicySnapshotSchema, row.policy),
    createdAt: row.created_at,
  }));
}

/** A run's finished candidates by index, with what the analysis views need of each. */
export function runAnalysis(db: HistoryDb, runId: string): AnalysisCandidate[] {
  const rows = db
    .stmt(
      `SELECT idx, status, arch_hash, label, cached, valid_acc, test_acc, reward, reward_parts, params, seconds, architecture
       FROM candidates WHERE run_id = ? AND status IN ${FINISHED_SQL} ORDER BY idx`,
    )
    .all(runId) as Array<{
    idx: number;
    status: CandidateStatus;
    arch_hash: string;
    label: string;
    cached: number;
    valid_acc: number | null;
    test_acc: number | null;
    reward: number | null;
    reward_parts: string | null;
    params: number | null;
    seconds: number | null;
    architecture: string | null;
  }>;
  return rows.map((row) => ({
    index: row.idx,
    status: row.status,
    hash: row.arch_hash,
    label: row.label,
    cached: row.cached === 1,
    signal: row.valid_acc,
    testAcc: row.test_acc,
    reward: row.reward,
    rewardParts: storedJson(RewardPartsSchema, row.reward_parts),
    params: row.params,
    seconds: row.seconds,
    architecture: row.architecture === null ? null : (JSON.parse(row.architecture) as unknown),
  }));
}

/** A JSON column read back through its schema: null when absent, or when it does not match (an older or damaged row). */
function storedJson<T>(schema: z.ZodType<T>, text: string | null): T | null {
  if (text === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** An option that takes one value or several, as a list. */
function asList<T extends string>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}

function placeholders(values: readonly unknown[]): string {
  return `(${values.map(() => '?').join(', ')})`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function pageLimit(limit: number | undefined): number {
  return limit === undefined ? DEFAULT_PAGE : Math.max(0, Math.floor(limit));
}

function pageOffset(offset: number | undefined): number {
  return offset === undefined ? 0 : Math.max(0, Math.floor(offset));
}
