/**
 * The History tab: every run, filterable and sortable, with checkboxes to compare runs; the run
 * picked opens below with its summary, actions and its candidates (a virtualised, server-sorted table).
 * Runs change while this is open (searches in progress, the CLI): main's updates refresh it, throttled.
 */
import { useEffect, useState } from 'react';
import { RUN_STATUSES, ACTIVE_STATUSES } from '../../../../shared/run-config';
import { api } from '../../api';
import '../../components/common.css';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Options } from '../../components/Options';
import { throttle } from '../../lib/throttle';
import { useApp, useAppPick } from '../../store';
import './history.css';
import { RunDetailPanel } from './RunDetail';
import { RunsTable } from './RunsTable';

const REFRESH_MS = 1000;

export function HistoryView() {
  const { loadRuns, runs, historyError: error, clearHistoryError: clearError } = useAppPick(
    'loadRuns', 'runs', 'historyError', 'clearHistoryError',
  );
  const [candidatesVersion, setCandidatesVersion] = useState(0);
  const anyActive = runs.some((r) => ACTIVE_STATUSES.includes(r.status));
  const now = useNow(anyActive ? 1000 : null);

  useEffect(() => {
    void loadRuns();
    const state = () => useApp.getState();
    const refreshRuns = throttle(() => void state().loadRuns(), REFRESH_MS);
    const refreshDetail = throttle(() => {
      void state().reloadRunDetail();
      setCandidatesVersion((v) => v + 1);
    }, REFRESH_MS);
    const refreshCandidate = throttle(() => void state().reloadCandidate(), REFRESH_MS);
    const unsubscribe = api.onUpdate((update) => {
      if (update.kind === 'environment') return;
      refreshRuns();
      if (update.runId !== state().selectedRunId) return;
      refreshDetail();
      if (update.kind === 'event' && 'index' in update.event && update.event.index === state().selectedCandidate) refreshCandidate();
    });
    return () => {
      unsubscribe();
      refreshRuns.cancel();
      refreshDetail.cancel();
      refreshCandidate.cancel();
    };
  }, [loadRuns]);

  return (
    <section className="view history-view" data-testid="history-view">
      <Toolbar />
      <ErrorBanner message={error} inline testId="history-error" onDismiss={clearError} />
      <RunsTable now={now} />
      <RunDetailPanel now={now} candidatesVersion={candidatesVersion} />
    </section>
  );
}

function Toolbar() {
  const {
    runFilter: filter, setRunFilter, compareRunIds, setCompareRuns, setView, loadRuns, runs,
  } = useAppPick(
    'runFilter', 'setRunFilter', 'compareRunIds', 'setCompareRuns', 'setView', 'loadRuns', 'runs',
  );
  // Runs deleted elsewhere drop out of the selection count.
  const selected = compareRunIds.filter((id) => runs.some((r) => r.id === id));

  return (
    <div className="history-toolbar">
      <input
        type="search"
        placeholder="Filter: name, id, strategy, evaluator, dataset"
        value={filter.text}
        onChange={(e) => setRunFilter({ text: e.target.value })}
        data-testid="run-filter"
        className="filter-input"
      />
      <select value={filter.status} onChange={(e) => setRunFilter({ status: e.target.value as typeof filter.status })} data-testid="run-status-filter" aria-label="status">
        <option value="all">all statuses</option>
        <Options values={RUN_STATUSES} />
      </select>
      <button className="secondary" onClick={() => void loadRuns()} title="Reload the runs">
        Refresh
      </button>
      <span className="spacer" />
      {selected.length > 0 && (
        <button className="link-button" onClick={() => setCompareRuns([])} data-testid="compare-clear">
          clear selection
        </button>
      )}
      <button
        className="primary"
        disabled={selected.length < 2}
        title={selected.length < 2 ? 'Tick two or more runs to compare them' : undefined}
        onClick={() => {
          setCompareRuns(selected);
          setView('compare');
        }}
        data-testid="compare-selected"
      >
        Compare selected ({selected.length})
      </button>
    </div>
  );
}

/** The current time, ticking every `ms` (null: only on re-render), for durations of running runs. */
function useNow(ms: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (ms === null) {
      setNow(Date.now());
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
