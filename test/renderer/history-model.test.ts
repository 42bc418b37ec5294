import { describe, expect, it, vi } from 'vitest';
import type { CandidatePage, CandidateRow, RunSeries, RunSummary } from '../../src/shared/history';
import { alignSeries, toggleId } from '../../src/renderer/src/features/compare/model';
import { CandidatePageCache, filterAndSortRuns, matchesRunFilter, nextSort, RUN_DESC_FIRST, runDuration, type RunFilter } from '../../src/renderer/src/features/history/model';
import { formatDuration, formatParams, formatPercent } from '../../src/renderer/src/lib/format';
import { runDisplayName } from '../../src/renderer/src/lib/runs';
import { throttle } from '../../src/renderer/src/lib/throttle';

function run(overrides: Partial<RunSummary> & { id: string }): RunSummary {
  return {
    name: null,
    status: 'completed',
    statusReason: null,
    failedDuring: null,
    strategy: 'random',
    evaluator: 'nb201',
    dataset: 'cifar10',
    mode: 'full',
    budget: 10,
    evaluations: 10,
    cacheHits: 0,
    bestIndex: null,
    bestSignal: null,
    bestTestAcc: null,
    bestLabel: null,
    backend: null,
    device: null,
    createdAt: 0,
    startedAt: null,
    finishedAt: null,
    updatedAt: 0,
    runMs: 0,
    measuredAt: 0,
    ...overrides,
  };
}

const ALL: RunFilter = { text: '', status: 'all' };

describe('runs list', () => {
  const runs = [
    run({ id: 'aaaa1111-x', name: 'Alpha', strategy: 'ppo', bestSignal: 0.8, startedAt: 100, finishedAt: 400, runMs: 300, createdAt: 3 }),
    run({ id: 'bbbb2222-x', name: null, status: 'failed', statusReason: 'boom', bestSignal: null, startedAt: 200, finishedAt: 300, runMs: 100, createdAt: 2 }),
    run({ id: 'cccc3333-x', name: 'gamma', evaluator: 'training', dataset: 'fashion-mnist', bestSignal: 0.9, startedAt: null, createdAt: 1, evaluations: 2 }),
  ];

  it('shows the name, or the id prefix', () => {
    expect(runDisplayName(runs[0])).toBe('Alpha');
    expect(runDisplayName(runs[1])).toBe('bbbb2222');
  });

  it('filters by status and by text in name, strategy, evaluator, dataset or id prefix', () => {
    expect(filterAndSortRuns(runs, { text: '', status: 'failed' }, { key: 'name', order: 'asc' }, 0).map((r) => r.id)).toEqual(['bbbb2222-x']);
    expect(matchesRunFilter(runs[0], { ...ALL, text: 'alp' })).toBe(true);
    expect(matchesRunFilter(runs[0], { ...ALL, text: 'PPO' })).toBe(true);
    expect(matchesRunFilter(runs[2], { ...ALL, text: 'fashion' })).toBe(true);
    expect(matchesRunFilter(runs[2], { ...ALL, text: 'training' })).toBe(true);
    expect(matchesRunFilter(runs[1], { ...ALL, text: 'bbbb' })).toBe(true);
    // The id matches by its start only.
    expect(matchesRunFilter(runs[1], { ...ALL, text: '2222' })).toBe(false);
    expect(matchesRunFilter(runs[1], { ...ALL, text: '  ' })).toBe(true);
  });

  it('sorts by any column, nulls last in both orders, ties in list order', () => {
    const ids = (key: Parameters<typeof filterAndSortRuns>[2]['key'], order: 'asc' | 'desc') =>
      filterAndSortRuns(runs, ALL, { key, order }, 1000).map((r) => r.id.slice(0, 4));
    expect(ids('bestVal', 'desc')).toEqual(['cccc', 'aaaa', 'bbbb']);
    expect(ids('bestVal', 'asc')).toEqual(['aaaa', 'cccc', 'bbbb']);
    expect(ids('name', 'asc')).toEqual(['aaaa', 'bbbb', 'cccc']);
    expect(ids('duration', 'desc')).toEqual(['aaaa', 'bbbb', 'cccc']);
    expect(ids('done', 'asc')).toEqual(['cccc', 'aaaa', 'bbbb']);
    // started falls back to created for runs that never started
    expect(ids('started', 'desc')).toEqual(['bbbb', 'aaaa', 'cccc']);
    expect(ids('status', 'asc')).toEqual(['aaaa', 'cccc', 'bbbb']);
  });

  it('does not change the list it is given', () => {
    const copy = [...runs];
    filterAndSortRuns(runs, ALL, { key: 'bestVal', order: 'desc' }, 0);
    expect(runs).toEqual(copy);
  });

  it('flips the order on the same column; a new numeric column starts descending', () => {
    expect(nextSort({ key: 'name', order: 'asc' }, 'name', RUN_DESC_FIRST)).toEqual({ key: 'name', order: 'desc' });
    expect(nextSort({ key: 'name', order: 'asc' }, 'bestVal', RUN_DESC_FIRST)).toEqual({ key: 'bestVal', order: 'desc' });
    expect(nextSort({ key: 'bestVal', order: 'desc' }, 'strategy', RUN_DESC_FIRST)).toEqual({ key: 'strategy', order: 'asc' });
  });

  it('measures the time a run ran: a running one up to now, a paused or ended one not beyond what it ran', () => {
    expect(runDuration({ startedAt: 100, status: 'running', runMs: 40, measuredAt: 200 }, 250)).toBe(90);
    expect(runDuration({ startedAt: 100, status: 'paused', runMs: 40, measuredAt: 200 }, 5_000)).toBe(40);
    expect(runDuration({ startedAt: 100, status: 'completed', runMs: 40, measuredAt: 200 }, 5_000)).toBe(40);
    expect(runDuration({ startedAt: null, status: 'created', runMs: 0, measuredAt: 200 }, 250)).toBeNull();
  });

  it('formats', () => {
    expect(formatPercent(0.8335)).toBe('83.35%');
    expect(formatPercent(null)).toBe('–');
    expect(formatParams(12345)).toBe('12,345');
    expect(formatParams(2_500_000)).toBe('2.50M');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(7_380_000)).toBe('2h 03m');
  });
});

describe('alignSeries', () => {
  const a: RunSeries = {
    runId: 'a',
    series: [
      { index: 0, reward: 0.5, signal: 0.5, bestSoFar: 0.5 },
      { index: 2, reward: 0.7, signal: 0.7, bestSoFar: 0.7 },
    ],
  };
  const b: RunSeries = {
    runId: 'b',
    series: [
      { index: 0, reward: 0.1, signal: 0.1, bestSoFar: 0.1 },
      { index: 1, reward: 0.9, signal: 0.9, bestSoFar: 0.9 },
      { index: 3, reward: null, signal: null, bestSoFar: 0.9 },
      { index: 4, reward: 0.2, signal: 0.2, bestSoFar: 0.9 },
    ],
  };

  it('puts every run on the union of indices, with nulls where a run has no point', () => {
    const { x, values } = alignSeries([a, b], 'reward');
    expect(x).toEqual([0, 1, 2, 3, 4]);
    expect(values).toEqual([
      [0.5, null, 0.7, null, null],
      [0.1, 0.9, null, null, 0.2],
    ]);
  });

  it('carries best-so-far across gaps, but not past a run’s last point', () => {
    const { values } = alignSeries([a, b], 'bestSoFar', { carry: true });
    expect(values[0]).toEqual([0.5, 0.5, 0.7, null, null]);
    expect(values[1]).toEqual([0.1, 0.9, 0.9, 0.9, 0.9]);
  });

  it('handles runs without points and no runs', () => {
    expect(alignSeries([], 'reward')).toEqual({ x: [], values: [] });
    expect(alignSeries([{ runId: 'e', series: [] }, a], 'bestSoFar', { carry: true }).values[0]).toEqual([null, null]);
  });

  it('toggles ids in order, up to a maximum', () => {
    expect(toggleId(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(toggleId(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggleId(['a', 'b'], 'c', 2)).toEqual(['a', 'b']);
  });
});

describe('CandidatePageCache', () => {
  function candidate(index: number): CandidateRow {
    return {
      runId: 'r',
      index,
      status: 'completed',
      hash: `h${index}`,
      label: `net ${index}`,
      params: index,
      reward: index / 100,
      validAcc: index / 100,
      bestValidAcc: null,
      validLoss: null,
      trainAcc: null,
      trainLoss: null,
      testAcc: null,
      seconds: 1,
      error: null,
      cached: false,
      createdAt: 0,
      updatedAt: 0,
      finishedAt: null,
      epochsReached: null,
      predictionMean: null,
      predictionStd: null,
    };
  }

  /** A fake server of `total` candidates in descending index order; each call is recorded. */
  function server(total: number) {
    const calls: Array<[number, number]> = [];
    const fetcher = vi.fn(async (offset: number, limit: number): Promise<CandidatePage> => {
      calls.push([offset, limit]);
      const rows: CandidateRow[] = [];
      for (let p = offset; p < Math.min(total, offset + limit); p++) rows.push(candidate(total - 1 - p));
      return { total, rows };
    });
    return { calls, fetcher };
  }

  it('fetches only the pages a range needs, once', async () => {
    const { calls, fetcher } = server(5000);
    const onChange = vi.fn();
    const cache = new CandidatePageCache({ fetcher, pageSize: 100, onChange });
    await cache.ensure(0, 99);
    expect(cache.total).toBe(5000);
    expect(cache.row(0)?.index).toBe(4999);
    expect(cache.row(100)).toBeUndefined();
    await cache.ensure(150, 260);
    expect(calls).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ]);
    expect(cache.row(250)?.index).toBe(4999 - 250);
    await cache.ensure(0, 299);
    expect(calls).toHaveLength(3);
    expect(onChange).toHaveBeenCalledTimes(3);
    expect(cache.positionOf(4999 - 250)).toBe(250);
    expect(cache.positionOf(7)).toBe(-1);
  });

  it('does not ask twice for a page already on its way, nor past the end', async () => {
    const { calls, fetcher } = server(250);
    const cache = new CandidatePageCache({ fetcher, pageSize: 100 });
    await cache.ensure(0, 0);
    const first = cache.ensure(100, 120);
    const second = cache.ensure(110, 130);
    await Promise.all([first, second]);
    await cache.ensure(0, 10_000);
    expect(calls.map(([offset]) => offset)).toEqual([0, 100, 200]);
    expect(cache.pagesToFetch(0, 10_000)).toEqual([]);
    expect(cache.loadedPages).toBe(3);
  });

  it('drops answers that arrive after a reset, and starts over with the new fetcher', async () => {
    let release: (page: CandidatePage) => void = () => undefined;
    const slow = (): Promise<CandidatePage> => new Promise((resolve) => (release = resolve));
    const cache = new CandidatePageCache({ fetcher: slow, pageSize: 10 });
    const pending = cache.ensure(0, 5);
    const { fetcher } = server(30);
    cache.reset(fetcher);
    release({ total: 1, rows: [candidate(999)] });
    await pending;
    expect(cache.total).toBeNull();
    expect(cache.row(0)).toBeUndefined();
    await cache.ensure(0, 5);
    expect(cache.row(0)?.index).toBe(29);
  });

  it('keeps stale rows on screen after invalidate() until the new page arrives', async () => {
    let total = 20;
    const fetcher = async (offset: number, limit: number): Promise<CandidatePage> => ({
      total,
      rows: Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => candidate(offset + i)),
    });
    const cache = new CandidatePageCache({ fetcher, pageSize: 50 });
    await cache.ensure(0, 49);
    expect(cache.total).toBe(20);
    total = 21;
    cache.invalidate();
    expect(cache.row(19)?.index).toBe(19);
    expect(cache.pagesToFetch(0, 49)).toEqual([0]);
    await cache.ensure(0, 49);
    expect(cache.total).toBe(21);
    expect(cache.row(20)?.index).toBe(20);
  });

  it('reports fetch errors of the current generation', async () => {
    const onError = vi.fn();
    const cache = new CandidatePageCache({ fetcher: () => Promise.reject(new Error('gone')), onError });
    await cache.ensure(0, 10);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'gone' }));
    // Not stuck as pending: asking again retries.
    expect(cache.pagesToFetch(0, 10)).toEqual([0]);
  });
});

describe('throttle', () => {
  it('runs at once, then collapses calls within the window into one trailing call', () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn();
      const t = throttle(fn, 1000);
      t();
      t();
      t();
      expect(fn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(999);
      expect(fn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      expect(fn).toHaveBeenCalledTimes(2);
      t();
      t.cancel();
      vi.advanceTimersByTime(5000);
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
