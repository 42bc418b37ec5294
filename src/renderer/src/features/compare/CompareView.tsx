/**
 * The Compare tab: two or more runs side by side. Their best-so-far and reward curves overlaid on
 * one candidate-index axis, and each run's best architecture with its scores.
 */
import { useEffect, useMemo } from 'react';
import type { RunDetail } from '../../../../shared/history';
import { api } from '../../api';
import { ArchitectureGraph } from '../../components/ArchitectureGraph';
import { Chart } from '../../components/Chart';
import '../../components/common.css';
import { ErrorBanner } from '../../components/ErrorBanner';
import { StatusBadge } from '../../components/StatusBadge';
import { formatParams, formatPercent } from '../../lib/format';
import { networkInput, runDisplayName, shortRunId } from '../../lib/runs';
import { throttle } from '../../lib/throttle';
import { useApp, useAppPick } from '../../store';
import './compare.css';
import { CompareDifferences } from './CompareDifferences';
import { alignSeries, runColor } from './model';
import { MAX_COMPARE } from './slice';

export function CompareView() {
  const {
    compareRunIds: ids, compareSeries: series, compareRuns: runs, compareLoading: loading,
    compareError: error, loadCompare,
  } = useAppPick(
    'compareRunIds', 'compareSeries', 'compareRuns', 'compareLoading', 'compareError', 'loadCompare',
  );

  useEffect(() => {
    void loadCompare();
  }, [ids, loadCompare]);

  // Compared runs still searching: follow them.
  useEffect(() => {
    const refresh = throttle(() => void useApp.getState().loadCompare(), 2000);
    const unsubscribe = api.onUpdate((update) => {
      if (update.kind === 'event' && update.event.type !== 'candidate_finished' && update.event.type !== 'run_finished') return;
      if (useApp.getState().compareRunIds.includes(update.runId)) refresh();
    });
    return () => {
      unsubscribe();
      refresh.cancel();
    };
  }, []);

  // Series in the order of ids (the answer may be for an older selection while a new one loads).
  const shown = useMemo(() => ids.map((id) => series.find((s) => s.runId === id) ?? { runId: id, series: [] }), [ids, series]);
  const label = (id: string) => {
    const run = runs[id];
    return run ? `${runDisplayName(run)}${run.name ? ` (${shortRunId(id)})` : ''}` : shortRunId(id);
  };
  const best = useMemo(() => {
    const aligned = alignSeries(shown, 'bestSoFar', { carry: true });
    return { x: aligned.x, series: aligned.values.map((values, i) => ({ label: label(ids[i]), values, color: runColor(i) })) };
    // label reads runs
  }, [shown, runs]);
  const reward = useMemo(() => {
    const aligned = alignSeries(shown, 'reward');
    return { x: aligned.x, series: aligned.values.map((values, i) => ({ label: label(ids[i]), values, color: runColor(i), points: true })) };
  }, [shown, runs]);

  return (
    <section className="view compare-view" data-testid="compare-view">
      <RunPicker />
      <ErrorBanner message={error} inline />
      {ids.length < 2 && (
        <div className="panel empty-note muted" data-testid="compare-hint">
          {ids.length === 0 ? 'No runs to compare yet: ' : 'Add at least one more run: '}
          tick runs in the History tab and press “Compare selected”, or add them here.
        </div>
      )}
      {ids.length > 0 && (
        <>
          <CompareDifferences ids={ids} runs={runs} series={series} />
          <div className="compare-charts">
            <div className="panel">
              <Chart title="Best validation accuracy so far" x={best.x} series={best.series} xLabel="candidate" yLabel="validation accuracy" yPercent height={240} testId="chart-compare-best" />
            </div>
            <div className="panel">
              <Chart title="Reward per candidate" x={reward.x} series={reward.series} xLabel="candidate" yLabel="reward" smoothing height={240} testId="chart-compare-reward" />
            </div>
          </div>
          <h3 className="compare-subtitle">Best architectures {loading && <span className="muted small-note">updating…</span>}</h3>
          <div className="compare-best-grid">
            {ids.map((id, i) => (
              <BestCard key={id} runId={id} position={i} run={runs[id] ?? null} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function BestCard({ runId, position, run }: { runId: string; position: number; run: RunDetail | null }) {
  const best = useApp((s) => s.compareBest[runId] ?? null);
  const prefix = shortRunId(runId);
  const input = run ? networkInput(run) : undefined;
  return (
    <div className="panel compare-best" data-testid={`compare-best-${prefix}`} style={{ borderTopColor: runColor(position) }}>
      <div className="compare-best-head">
        <span className="swatch" style={{ background: runColor(position) }} />
        <strong>{run ? runDisplayName(run) : prefix}</strong>
        {run && <StatusBadge status={run.status} reason={run.statusReason} />}
      </div>
      {run && (
        <div className="muted small-note">
          {run.strategy} · {run.evaluator} · {run.dataset ?? '–'} · {run.evaluations}/{run.budget}
        </div>
      )}
      {best ? (
        <>
          <dl className="facts">
            <dt>Best</dt>
            <dd>#{best.index}</dd>
            <dt>Val</dt>
            <dd>{formatPercent(best.validAcc)}</dd>
            <dt>Test</dt>
            <dd>{formatPercent(best.testAcc)}</dd>
            <dt>Params</dt>
            <dd>{formatParams(best.params)}</dd>
          </dl>
          <div className="mono small-note label-line" title={best.label}>
            {best.label}
          </div>
          {best.architecture !== null && best.architecture !== undefined && (
            <ArchitectureGraph architecture={best.architecture} height={260} direction="TB" inputShape={input?.inputShape} numClasses={input?.numClasses} />
          )}
        </>
      ) : (
        <div className="muted">{run ? 'No finished candidate yet.' : 'Loading…'}</div>
      )}
    </div>
  );
}

function RunPicker() {
  const {
    compareRunIds: ids, compareRuns: runs, runs: allRuns, runsLoaded, loadRuns, toggleCompareRun, setView,
  } = useAppPick(
    'compareRunIds', 'compareRuns', 'runs', 'runsLoaded', 'loadRuns', 'toggleCompareRun', 'setView',
  );

  useEffect(() => {
    if (!runsLoaded) void loadRuns();
  }, [runsLoaded, loadRuns]);

  const addable = allRuns.filter((r) => !ids.includes(r.id));
  return (
    <div className="compare-picker">
      <strong>Comparing</strong>
      {ids.map((id, i) => {
        const run = runs[id] ?? allRuns.find((r) => r.id === id);
        return (
          <span key={id} className="chip" data-testid={`compare-chip-${shortRunId(id)}`}>
            <span className="swatch" style={{ background: runColor(i) }} />
            {run ? runDisplayName(run) : shortRunId(id)}
            <button className="icon-button" title="Remove from the comparison" onClick={() => toggleCompareRun(id)} data-testid={`compare-remove-${shortRunId(id)}`}>
              ✕
            </button>
          </span>
        );
      })}
      <select
        value=""
        disabled={addable.length === 0 || ids.length >= MAX_COMPARE}
        onChange={(e) => {
          if (e.target.value) toggleCompareRun(e.target.value);
        }}
        data-testid="compare-add"
        aria-label="add a run"
      >
        <option value="">+ add a run…</option>
        {addable.map((r) => (
          <option key={r.id} value={r.id}>
            {runDisplayName(r)} · {shortRunId(r.id)} · {r.strategy} · {r.evaluator} · best {formatPercent(r.bestSignal)}
          </option>
        ))}
      </select>
      <span className="spacer" />
      <button className="secondary" onClick={() => setView('history')}>
        Back to history
      </button>
    </div>
  );
}
