/**
 * A run's candidates, virtualised: only the rows on screen are in the DOM, and their data is fetched
 * a page at a time as the table scrolls to them, sorted by main (runs.candidates sortBy/order).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import { candidateStatusText, type CandidateRow, type CandidateSortKey } from '../../../../shared/history';
import { api, errorText } from '../../api';
import { formatNumber, formatParams, formatPercent } from '../../lib/format';
import { useAppPick } from '../../store';
import { CandidatePageCache, type PageFetcher } from './model';

const ROW_HEIGHT = 28;
const PRUNED_TITLE = "stopped early by the run's pruner: its accuracy is that of the epoch it reached";
const PAGE_SIZE = 100;
const OVERSCAN = 12;

interface Column {
  label: string;
  sortKey?: CandidateSortKey;
  numeric?: boolean;
  title?: string;
}

const COLUMNS: Column[] = [
  { label: '#', sortKey: 'index', numeric: true },
  { label: 'Status' },
  { label: 'Val', sortKey: 'validAcc', numeric: true, title: 'validation accuracy (the search signal)' },
  { label: 'Test', sortKey: 'testAcc', numeric: true },
  { label: 'Reward', sortKey: 'reward', numeric: true },
  { label: 'Params', sortKey: 'params', numeric: true },
  { label: 'Seconds', sortKey: 'seconds', numeric: true },
  { label: 'Architecture' },
];

export interface CandidatesTableProps {
  runId: string;
  /** Bumped when the run's candidates changed (a running search): visible pages are fetched again. */
  version: number;
  /** Only these candidates (an analysis brush's); null or absent: all of them. */
  indices?: readonly number[] | null;
  height?: number;
}

export function CandidatesTable({ runId, version, indices = null, height = 420 }: CandidatesTableProps) {
  const { candidateSort: sort, setCandidateSort, selectedCandidate: selected, selectCandidate } = useAppPick(
    'candidateSort', 'setCandidateSort', 'selectedCandidate', 'selectCandidate',
  );
  const [error, setError] = useState<string | null>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const scrollRef = useRef<HTMLDivElement>(null);

  const fetcherFor = (sortBy: CandidateSortKey, order: 'asc' | 'desc'): PageFetcher => (offset, limit) =>
    api.call('runs.candidates', { runId, sortBy, order, offset, limit, ...(indices ? { indices: [...indices] } : {}) });

  const cacheRef = useRef<CandidatePageCache | null>(null);
  if (!cacheRef.current) {
    cacheRef.current = new CandidatePageCache({
      fetcher: fetcherFor(sort.key, sort.order),
      pageSize: PAGE_SIZE,
      onChange: rerender,
      onError: (e) => setError(errorText(e)),
    });
  }
  const cache = cacheRef.current;

  // Another run, sort or filter: start over, at the top.
  const firstKey = useRef(true);
  useEffect(() => {
    if (firstKey.current) firstKey.current = false;
    else cache.reset(fetcherFor(sort.key, sort.order));
    setError(null);
    scrollRef.current?.scrollTo({ top: 0 });
    // The effect below fetches the first page.
    // fetcherFor only closes over runId and indices, which are in the deps.
  }, [cache, runId, sort.key, sort.order, indices]);

  // New candidates or results: refresh what is loaded, keeping it on screen meanwhile.
  useEffect(() => {
    if (version === 0) return;
    cache.invalidate();
    rerender();
  }, [cache, version]);

  const total = cache.total ?? 0;
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index : 0;

  // Fetch the pages the visible rows need (and a little ahead).
  useEffect(() => {
    // Until the first answer (the count) is in, the list starts at the top.
    if (cache.total === null) void cache.ensure(0, PAGE_SIZE - 1);
    else void cache.ensure(Math.max(0, first - OVERSCAN), last + OVERSCAN);
  });

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const at = selected === null ? -1 : cache.positionOf(selected);
    const next = Math.min(total - 1, Math.max(0, at < 0 ? first : at + (e.key === 'ArrowDown' ? 1 : -1)));
    const row = cache.row(next);
    if (row) {
      void selectCandidate(row.index);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    }
  };

  return (
    <div className="candidates" data-testid="candidates-table" data-total={cache.total ?? ''}>
      <div className="cand-header cand-grid" role="row">
        {COLUMNS.map((c) => (
          <div key={c.label} role="columnheader" className={c.numeric ? 'num' : undefined} title={c.title}>
            {c.sortKey ? (
              <button className="th-sort" onClick={() => setCandidateSort(c.sortKey!)} data-testid={`candidates-sort-${c.sortKey}`}>
                {c.label}
                <span className="sort-mark">{sort.key === c.sortKey ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
              </button>
            ) : (
              c.label
            )}
          </div>
        ))}
      </div>
      <div className="cand-scroll" ref={scrollRef} style={{ height: cache.total === null || cache.total === 0 ? 120 : Math.min(height, Math.max(120, cache.total * ROW_HEIGHT + 2)) }} tabIndex={0} onKeyDown={onKeyDown} role="rowgroup" data-testid="candidates-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => (
            <CandidateRowView key={item.key} row={cache.row(item.index)} start={item.start} selected={selected} onSelect={selectCandidate} />
          ))}
        </div>
        {cache.total === 0 && <div className="empty-note muted">{indices ? 'No candidate is inside the brushes.' : 'No candidates yet.'}</div>}
        {cache.total === null && !error && <div className="empty-note muted">Loading candidates…</div>}
      </div>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

interface RowViewProps {
  row: CandidateRow | undefined;
  start: number;
  selected: number | null;
  onSelect(index: number): unknown;
}

/** One row; memoised, so scrolling re-renders only the rows that come into view. */
const CandidateRowView = memo(
  function CandidateRowView({ row, start, selected, onSelect }: RowViewProps) {
    const isSelected = row !== undefined && row.index === selected;
    return (
      <div
        className={isSelected ? 'cand-row cand-grid selected' : 'cand-row cand-grid'}
        style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
        role="row"
        data-testid={row ? 'candidate-row' : 'candidate-row-loading'}
        data-index={row?.index}
        onClick={row ? () => void onSelect(row.index) : undefined}
      >
        {row ? <Cells row={row} /> : <div className="muted loading-cell">…</div>}
      </div>
    );
  },
  // A change of selection matters to a row only if it is (or was) the selected one.
  (a, b) =>
    a.row === b.row && a.start === b.start && a.onSelect === b.onSelect && (a.selected === b.selected || (a.row?.index !== a.selected && b.row?.index !== b.selected)),
);

function Cells({ row }: { row: CandidateRow }) {
  return (
    <>
      <div className="num">{row.index}</div>
      <div>
        <span className={`cstatus cstatus-${row.status}`} title={row.error ?? (row.status === 'pruned' ? PRUNED_TITLE : undefined)} data-testid="candidate-status">
          {candidateStatusText(row)}
        </span>
        {row.cached && (
          <span className="cached-mark" title="a cached result: this architecture was evaluated before with the same settings">
            cached
          </span>
        )}
      </div>
      <div className="num">{formatPercent(row.validAcc)}</div>
      <div className="num">{formatPercent(row.testAcc)}</div>
      <div className="num">{formatNumber(row.reward)}</div>
      <div className="num">{formatParams(row.params)}</div>
      <div className="num">{formatNumber(row.seconds, 1)}</div>
      <div className="label-cell" title={row.label}>
        {row.label}
      </div>
    </>
  );
}
