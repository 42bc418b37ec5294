/**
 * The history view's pure logic, kept apart from React and the API so it can be unit-tested in
 * Node: filtering and sorting the runs list, and the page cache behind the virtualised candidates
 * table. Formatting and run names are shared with the other views (src/renderer/src/lib).
 */
import type { CandidatePage, CandidateRow, CandidateSortKey, RunSummary } from '../../../../shared/history';
import type { RunStatus } from '../../../../shared/run-config';
import { runDisplayName } from '../../lib/runs';

// ---- the runs list ----

export const RUN_SORT_KEYS = ['name', 'id', 'status', 'strategy', 'evaluator', 'dataset', 'done', 'bestVal', 'bestTest', 'started', 'duration'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';

export interface RunSort {
  key: RunSortKey;
  order: SortOrder;
}

export interface RunFilter {
  /** Part of the name, strategy, evaluator or dataset, or the start of the id (case-insensitive). */
  text: string;
  status: RunStatus | 'all';
}

/**
 * How long a run actually ran: the time its candidates were being evaluated, and for a running run
 * the time since that was measured (up to `now`). Paused, it does not grow. Null before it started.
 */
export function runDuration(run: Pick<RunSummary, 'startedAt' | 'status' | 'runMs' | 'measuredAt'>, now: number): number | null {
  if (run.startedAt === null) return null;
  return run.runMs + (run.status === 'running' ? Math.max(0, now - run.measuredAt) : 0);
}

/** The value a column sorts by; null sorts last whichever the order. */
export function runSortValue(run: RunSummary, key: RunSortKey, now: number): string | number | null {
  switch (key) {
    case 'name':
      return runDisplayName(run).toLowerCase();
    case 'id':
      return run.id;
    case 'status':
      return run.status;
    case 'strategy':
      return run.strategy;
    case 'evaluator':
      return run.evaluator;
    case 'dataset':
      return run.dataset;
    case 'done':
      return run.budget > 0 ? run.evaluations / run.budget : 0;
    case 'bestVal':
      return run.bestSignal;
    case 'bestTest':
      return run.bestTestAcc;
    case 'started':
      return run.startedAt ?? run.createdAt;
    case 'duration':
      return runDuration(run, now);
  }
}

export function matchesRunFilter(run: RunSummary, filter: RunFilter): boolean {
  if (filter.status !== 'all' && run.status !== filter.status) return false;
  const text = filter.text.trim().toLowerCase();
  if (!text) return true;
  if (run.id.toLowerCase().startsWith(text)) return true;
  return [run.name, run.strategy, run.evaluator, run.dataset, run.mode].some((field) => field?.toLowerCase().includes(text) ?? false);
}

function compareValues(a: string | number | null, b: string | number | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** Filters, then sorts stably (nulls last; ties keep the list's order, newest first). */
export function filterAndSortRuns(runs: readonly RunSummary[], filter: RunFilter, sort: RunSort, now: number): RunSummary[] {
  const sign = sort.order === 'asc' ? 1 : -1;
  return runs
    .filter((run) => matchesRunFilter(run, filter))
    .map((run, position) => ({ run, position, value: runSortValue(run, sort.key, now) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.position - b.position;
        return a.value === null ? 1 : -1;
      }
      return sign * compareValues(a.value, b.value) || a.position - b.position;
    })
    .map((entry) => entry.run);
}

/** Clicking a column: the same column flips the order; another starts with its natural order. */
export function nextSort<K extends string>(current: { key: K; order: SortOrder }, key: K, descFirst: readonly K[]): { key: K; order: SortOrder } {
  if (current.key === key) return { key, order: current.order === 'asc' ? 'desc' : 'asc' };
  return { key, order: descFirst.includes(key) ? 'desc' : 'asc' };
}

/** Run columns whose first click sorts largest (or newest) first. */
export const RUN_DESC_FIRST: readonly RunSortKey[] = ['done', 'bestVal', 'bestTest', 'started', 'duration'];
/** Candidate columns whose first click sorts largest first. */
export const CANDIDATE_DESC_FIRST: readonly CandidateSortKey[] = ['reward', 'validAcc', 'testAcc'];

// ---- the candidates page cache ----

export type PageFetcher = (offset: number, limit: number) => Promise<CandidatePage>;

/**
 * Rows of one sorted candidate list, fetched a page at a time as the table scrolls to them.
 * Pages stay until reset (a new sort or run); invalidate() marks them stale, so they are shown
 * until fresh ones arrive (a run that is still adding candidates). Answers to an older
 * generation (requested before a reset or invalidation) are dropped.
 */
export class CandidatePageCache {
  readonly pageSize: number;
  /** Rows in the list, known after the first page (null before). */
  total: number | null = null;
  private pages = new Map<number, CandidateRow[]>();
  private stale = new Set<number>();
  private pending = new Set<number>();
  private generation = 0;
  private fetcher: PageFetcher;
  private onChange: () => void;
  private onError: (error: unknown) => void;

  constructor(options: { fetcher: PageFetcher; pageSize?: number; onChange?: () => void; onError?: (error: unknown) => void }) {
    this.fetcher = options.fetcher;
    this.pageSize = options.pageSize ?? 100;
    this.onChange = options.onChange ?? (() => undefined);
    this.onError = options.onError ?? (() => undefined);
  }

  /** The row at a position in the sorted list, if its page has arrived. */
  row(position: number): CandidateRow | undefined {
    return this.pages.get(Math.floor(position / this.pageSize))?.[position % this.pageSize];
  }

  /** Pages that cover positions start..end (inclusive) and are missing or stale, not already requested. */
  pagesToFetch(start: number, end: number): number[] {
    if (end < start) return [];
    const last = this.total === null ? Math.floor(end / this.pageSize) : Math.min(Math.floor(end / this.pageSize), Math.max(0, Math.ceil(this.total / this.pageSize) - 1));
    const wanted: number[] = [];
    for (let page = Math.max(0, Math.floor(start / this.pageSize)); page <= last; page++) {
      if ((!this.pages.has(page) || this.stale.has(page)) && !this.pending.has(page)) wanted.push(page);
    }
    return wanted;
  }

  /** Fetches what positions start..end need; resolves when those answers are in. */
  async ensure(start: number, end: number): Promise<void> {
    await Promise.all(this.pagesToFetch(start, end).map((page) => this.fetchPage(page)));
  }

  private async fetchPage(page: number): Promise<void> {
    const generation = this.generation;
    this.pending.add(page);
    try {
      const result = await this.fetcher(page * this.pageSize, this.pageSize);
      if (generation !== this.generation) return;
      this.pages.set(page, result.rows);
      this.stale.delete(page);
      this.total = result.total;
      this.onChange();
    } catch (error) {
      if (generation === this.generation) this.onError(error);
    } finally {
      if (generation === this.generation) this.pending.delete(page);
    }
  }

  /** Forgets everything (another sort, another run); a new fetcher may come with it. */
  reset(fetcher?: PageFetcher): void {
    if (fetcher) this.fetcher = fetcher;
    this.generation++;
    this.pages.clear();
    this.stale.clear();
    this.pending.clear();
    this.total = null;
    this.onChange();
  }

  /** Keeps the rows on screen but refetches each page when next needed (the list changed). */
  invalidate(): void {
    this.generation++;
    this.pending.clear();
    for (const page of this.pages.keys()) this.stale.add(page);
  }

  /** Where a candidate index sits among the loaded rows (-1 when not loaded). */
  positionOf(index: number): number {
    for (const [page, rows] of this.pages) {
      const at = rows.findIndex((row) => row.index === index);
      if (at >= 0) return page * this.pageSize + at;
    }
    return -1;
  }

  get loadedPages(): number {
    return this.pages.size;
  }
}
