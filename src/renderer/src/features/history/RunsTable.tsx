/** The runs list: sortable columns, inline rename, delete with confirmation, compare checkboxes. */
import { useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { RunSummary } from '../../../../shared/history';
import { ACTIVE_STATUSES } from '../../../../shared/run-config';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDate, formatDuration, formatPercent } from '../../lib/format';
import { runDisplayName, shortRunId } from '../../lib/runs';
import { useAppPick } from '../../store';
import { filterAndSortRuns, runDuration, type RunSortKey } from './model';

const COLUMNS: Array<{ key: RunSortKey; label: string; numeric?: boolean }> = [
  { key: 'name', label: 'Name' },
  { key: 'id', label: 'Id' },
  { key: 'status', label: 'Status' },
  { key: 'strategy', label: 'Strategy' },
  { key: 'evaluator', label: 'Evaluator' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'done', label: 'Done', numeric: true },
  { key: 'bestVal', label: 'Best val', numeric: true },
  { key: 'bestTest', label: 'Best test', numeric: true },
  { key: 'started', label: 'Started' },
  { key: 'duration', label: 'Duration', numeric: true },
];

export function RunsTable({ now }: { now: number }) {
  const {
    runs, runsLoaded, runFilter: filter, runSort: sort, setRunSort, selectedRunId, selectRun, compareRunIds,
    toggleCompareRun,
  } = useAppPick(
    'runs', 'runsLoaded', 'runFilter', 'runSort', 'setRunSort', 'selectedRunId', 'selectRun', 'compareRunIds',
    'toggleCompareRun',
  );

  const shown = useMemo(() => filterAndSortRuns(runs, filter, sort, now), [runs, filter, sort, now]);

  if (runsLoaded && runs.length === 0) {
    return (
      <div className="panel empty-note" data-testid="runs-table">
        No runs yet. Start a search from the Run tab, or with <code>npm run cli -- search</code>.
      </div>
    );
  }

  return (
    <div className="runs-table-wrap panel">
      <table className="runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th className="col-check" title="Select runs to compare" />
            {COLUMNS.map((c) => (
              <th key={c.key} className={c.numeric ? 'num' : undefined} aria-sort={sort.key === c.key ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
                <button className="th-sort" onClick={() => setRunSort(c.key)} data-testid={`runs-sort-${c.key}`}>
                  {c.label}
                  <span className="sort-mark">{sort.key === c.key ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {shown.map((run) => (
            <RunRow
              key={run.id}
              run={run}
              now={now}
              selected={run.id === selectedRunId}
              checked={compareRunIds.includes(run.id)}
              onSelect={() => void selectRun(run.id)}
              onToggle={() => toggleCompareRun(run.id)}
            />
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length + 2} className="muted">
                {runsLoaded ? 'No run matches the filter.' : 'Loading…'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

interface RunRowProps {
  run: RunSummary;
  now: number;
  selected: boolean;
  checked: boolean;
  onSelect(): void;
  onToggle(): void;
}

function RunRow({ run, now, selected, checked, onSelect, onToggle }: RunRowProps) {
  const { renameRun, deleteRun } = useAppPick('renameRun', 'deleteRun');
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const active = ACTIVE_STATUSES.includes(run.status);
  const prefix = shortRunId(run.id);

  const stop = (e: MouseEvent) => e.stopPropagation();
  const commit = () => {
    if (editing === null) return;
    const name = editing;
    setEditing(null);
    if (name.trim() !== (run.name ?? '')) void renameRun(run.id, name);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') commit();
    if (e.key === 'Escape') setEditing(null);
  };

  return (
    <tr className={selected ? 'run-row selected' : 'run-row'} data-testid="run-row" data-run-id={run.id} onClick={onSelect} aria-selected={selected}>
      <td className="col-check" onClick={stop}>
        <input type="checkbox" checked={checked} onChange={onToggle} data-testid={`run-select-${prefix}`} aria-label={`compare ${runDisplayName(run)}`} />
      </td>
      <td className="col-name">
        {editing !== null ? (
          <input
            className="rename-input"
            autoFocus
            value={editing}
            placeholder={prefix}
            maxLength={200}
            onClick={stop}
            onChange={(e) => setEditing(e.target.value)}
            onKeyDown={onKey}
            onBlur={commit}
            data-testid="run-rename-input"
          />
        ) : (
          <span className="name-cell">
            <span className={run.name ? 'run-name' : 'run-name muted'} onDoubleClick={() => setEditing(run.name ?? '')}>
              {runDisplayName(run)}
            </span>
            <button
              className="icon-button row-action"
              title="Rename"
              onClick={(e) => {
                stop(e);
                setEditing(run.name ?? '');
              }}
              data-testid="run-rename"
            >
              ✎
            </button>
          </span>
        )}
      </td>
      <td className="mono" title={run.id}>
        {prefix}
      </td>
      <td>
        <StatusBadge status={run.status} reason={run.statusReason} />
      </td>
      <td>{run.strategy}</td>
      <td>{run.evaluator}</td>
      <td>{run.dataset ?? '–'}</td>
      <td className="num">
        {run.evaluations}/{run.budget}
      </td>
      <td className="num">{formatPercent(run.bestSignal)}</td>
      <td className="num">{formatPercent(run.bestTestAcc)}</td>
      <td>{formatDate(run.startedAt ?? run.createdAt)}</td>
      <td className="num">{formatDuration(runDuration(run, now))}</td>
      <td className="col-actions" onClick={stop}>
        {confirming ? (
          <span className="confirm">
            Delete?{' '}
            <button
              className="danger small"
              onClick={() => {
                setConfirming(false);
                void deleteRun(run.id);
              }}
              data-testid="run-delete-confirm"
            >
              Delete
            </button>{' '}
            <button className="secondary small" onClick={() => setConfirming(false)} data-testid="run-delete-cancel">
              Cancel
            </button>
          </span>
        ) : (
          <button
            className="icon-button row-action"
            title={active ? 'Stop the run before deleting it' : 'Delete this run and everything recorded for it'}
            disabled={active}
            onClick={() => setConfirming(true)}
            data-testid="run-delete"
          >
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}
