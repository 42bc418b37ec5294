/**
 * The "Run" tab: the launcher for a new run, and the live view of the run being watched (the latest
 * started, one picked from the active or recent runs, or one opened from the history via watchRun).
 * The store commits the watched run's state at most ~10 times a second; each part below is
 * memoized on the slice of state it draws, so an epoch event re-renders only the candidates in training.
 */
import { agentBudgetWarning } from '../../../../shared/agent-budget';
import { BudgetWarning } from '../../components/BudgetWarning';
import { memo, useEffect, useMemo } from 'react';
import { candidateStatusText, warmStartText } from '../../../../shared/history';
import { runDataset, type RunConfig } from '../../../../shared/run-config';
import { ArchitectureGraph } from '../../components/ArchitectureGraph';
import { Chart } from '../../components/Chart';
import { trainingTimeAxis } from '../../components/chart-series';
import { formatPoints, formatPrediction, predictionError } from '../../lib/prediction';
import { networkInput, shortRunId } from '../../lib/runs';
import { useApp, useAppPick } from '../../store';
import { LauncherPanel } from './LauncherPanel';
import { candidateHeading, controls, DIAGNOSTIC_CHARTS, epochProgress, pct, progressNote } from './live-display';
import { candidateChartSeries, type DiagnosticsColumns, type SeriesColumns } from './live-columns';
import type { LiveCandidate, LiveRun } from './live-run';
import { BestCandidate, InFlight, Leaderboard, PredictorSummary } from './live-side';
import './live.css';

export function LiveView() {
  const { liveInit: init, liveShowLauncher: showLauncher, liveSetShowLauncher: setShowLauncher } = useAppPick(
    'liveInit', 'liveShowLauncher', 'liveSetShowLauncher',
  );
  const hasRun = useApp((s) => s.liveRun !== null);

  useEffect(() => {
    void init();
  }, [init]);

  return (
    <section className="view live-view-root">
      <RunPicker />
      {showLauncher || !hasRun ? <LauncherPanel onCancel={hasRun ? () => setShowLauncher(false) : undefined} /> : <RunMonitor />}
    </section>
  );
}

function RunPicker() {
  const {
    liveRun: run, liveActiveRuns: active, liveRecentRuns: recent, watchRun, liveRefreshRuns: refresh,
    liveShowLauncher: showLauncher, liveSetShowLauncher: setShowLauncher, liveLoadingId: loadingId,
  } = useAppPick(
    'liveRun', 'liveActiveRuns', 'liveRecentRuns', 'watchRun', 'liveRefreshRuns', 'liveShowLauncher',
    'liveSetShowLauncher', 'liveLoadingId',
  );

  const label = (id: string) => {
    const summary = recent.find((r) => r.id === id);
    const name = summary?.name || (run?.runId === id ? run.name : null);
    const status = run?.runId === id ? run.status : summary?.status;
    return `${name ? `${name} · ` : ''}${shortRunId(id)}${summary ? ` · ${summary.strategy}/${summary.evaluator}` : ''}${status ? ` · ${status}` : ''}`;
  };
  const others = recent.filter((r) => !active.includes(r.id)).map((r) => r.id);
  const watched = run?.runId ?? '';
  const known = active.includes(watched) || others.includes(watched);

  return (
    <div className="live-picker">
      <label>
        <span className="muted">Watching</span>{' '}
        <select
          value={watched}
          onFocus={() => void refresh()}
          onChange={(e) => e.target.value && void watchRun(e.target.value)}
          data-testid="live-run-select"
        >
          {!watched && <option value="">(no run)</option>}
          {watched && !known && <option value={watched}>{label(watched)}</option>}
          {active.length > 0 && (
            <optgroup label="Active">
              {[...active].reverse().map((id) => (
                <option key={id} value={id}>
                  {label(id)}
                </option>
              ))}
            </optgroup>
          )}
          {others.length > 0 && (
            <optgroup label="Recent">
              {others.map((id) => (
                <option key={id} value={id}>
                  {label(id)}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      {loadingId && <span className="muted">loading…</span>}
      <span className="spacer" />
      {!showLauncher && (
        <button type="button" className="primary" onClick={() => setShowLauncher(true)} data-testid="live-new-run">
          New run
        </button>
      )}
    </div>
  );
}

function RunMonitor() {
  const { liveRun, liveError: error } = useAppPick('liveRun', 'liveError');
  const run = liveRun as LiveRun;
  const config = run.config;
  const shape = config ? networkInput(config) : undefined;
  // Older stored configs have no predictor field; a run's events say whether it predicts.
  const predicts = config?.predictor === 'gp';
  return (
    <div className="live-view" data-testid="live-view" data-run-id={run.runId}>
      <RunHeader run={run} error={error} />
      {config && <BudgetWarning message={agentBudgetWarning({ ...config, budget: run.budget })} testId="live-budget-warning" />}
      <div className="live-grid">
        <CurrentCandidate candidate={run.current} runStatus={run.status} config={config} progress={epochProgress(run)} inputShape={shape?.inputShape} numClasses={shape?.numClasses} />
        <div className="panel live-side">
          {((config?.workers ?? 1) > 1 || run.inFlight.length > 1) && <InFlight candidates={run.inFlight} config={config} predicts={predicts} />}
          <Leaderboard entries={run.leaderboard} predicts={predicts} />
          {predicts && <PredictorSummary series={run.series} n={run.series.index.length} />}
          <BestCandidate candidate={run.best} inputShape={shape?.inputShape} numClasses={shape?.numClasses} />
        </div>
      </div>
      <SeriesCharts series={run.series} n={run.series.index.length} prunes={(run.config?.prune ?? 'none') !== 'none'} />
      {(config?.strategy === 'ppo' || run.diagnostics.iteration.length > 0) && (
        <Diagnostics columns={run.diagnostics} n={run.diagnostics.iteration.length} />
      )}
    </div>
  );
}

function RunHeader({ run, error }: { run: LiveRun; error: string | null }) {
  const { livePause: pause, liveResume: resume, liveStop: stop, liveRunAgain: runAgain } = useAppPick(
    'livePause', 'liveResume', 'liveStop', 'liveRunAgain',
  );
  const allowed = controls(run);
  const fraction = run.budget > 0 ? Math.min(1, run.done / run.budget) : 0;
  const c = run.config;
  // Older stored configs have no predictor field.
  const agent = c ? `${c.strategy}${c.mode === 'layerwise' ? ' (layerwise)' : ''}${c.predictor === 'gp' ? ' + GP predictor' : ''}` : '';
  const what = c
    ? c.evaluator === 'nb201'
      ? `nb201 ${c.nb201Dataset} · ${agent}`
      : `${runDataset(c)} · ${c.actionSet?.name ?? 'action set'} · ${agent} · ${c.training.epochs} epoch${c.training.epochs === 1 ? '' : 's'}`
    : '';
  return (
    <div className="panel live-header">
      <div className="live-title-row">
        <h2 className="live-title" title={run.runId}>
          {run.name || `Run ${shortRunId(run.runId)}`}
        </h2>
        <span className={`status-badge status-${run.status}`} data-testid="live-status" data-status={run.status}>
          {run.status}
        </span>
        {run.reason && (
          <span className="live-reason" data-testid="live-status-reason">
            {run.reason}
          </span>
        )}
        <span className="spacer" />
        {run.backend ? (
          <span className="badge" data-testid="backend-badge-run" title={run.backend.tfBackend ? `tf.getBackend(): ${run.backend.tfBackend}` : undefined}>
            <strong>{run.backend.name}</strong> · {run.backend.device}
          </span>
        ) : (
          <span className="badge muted" data-testid="backend-badge-run">
            {c?.backend && c.backend !== 'auto' ? `${c.backend} · ` : ''}backend not reported yet
          </span>
        )}
      </div>
      <div className="live-subtitle muted">
        {what}
        {run.description && <> — {run.description}</>}
      </div>
      {c?.warmStart && (
        <div className="live-subtitle" data-testid="live-warm-start">
          <strong>Warm start</strong> <span className="muted">{run.warmStart ? warmStartText(run.warmStart) : 'from earlier runs (once the engine is ready)'}</span>
        </div>
      )}
      <div className="live-progress-row">
        <div className="live-progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={run.budget} aria-valuenow={run.done}>
          <div className="live-progress-fill" style={{ width: `${fraction * 100}%` }} />
        </div>
        <span className="live-progress-text" data-testid="live-progress">
          {run.done} / {run.budget}
        </span>
        <span className={run.pausing ? 'live-pausing' : 'muted'} data-testid="live-eta" data-pausing={run.pausing}>
          {progressNote(run)}
        </span>
        {run.cacheHits > 0 && <span className="muted">{run.cacheHits} cached</span>}
        <span className="spacer" />
        <button type="button" className="secondary" disabled={!allowed.pause} onClick={() => void pause()} data-testid="run-pause">
          Pause
        </button>
        {allowed.runAgain && run.config ? (
          <button type="button" className="primary" onClick={() => runAgain(run.config!)} data-testid="run-again" title="Resuming would fail the same way: open the launcher with this run's settings">
            Run again with changes…
          </button>
        ) : (
          <button type="button" className="secondary" disabled={!allowed.resume} onClick={() => void resume()} data-testid="run-resume">
            Resume
          </button>
        )}
        <button type="button" className="secondary danger" disabled={!allowed.stop} onClick={() => void stop()} data-testid="run-stop">
          Stop
        </button>
      </div>
      {error && (
        <div className="error" role="alert" data-testid="live-error">
          {error}
        </div>
      )}
    </div>
  );
}

const CurrentCandidate = memo(function CurrentCandidate(props: {
  candidate: LiveCandidate | null;
  runStatus: LiveRun['status'];
  config: RunConfig | null;
  progress: number | undefined;
  inputShape?: [number, number, number];
  numClasses?: number;
}) {
  const { candidate, config, progress } = props;
  const epochs = candidate?.epochs ?? [];
  const x = useMemo(() => epochs.map((e) => e.epoch), [epochs]);
  const time = useMemo(() => trainingTimeAxis(epochs), [epochs]);
  const loss = useMemo(
    () => [
      { label: 'train loss', values: epochs.map((e) => e.trainLoss), color: '#2f6fed' },
      { label: 'valid loss', values: epochs.map((e) => e.validLoss), color: '#d64545' },
    ],
    [epochs],
  );
  const accuracy = useMemo(
    () => [
      { label: 'train acc', values: epochs.map((e) => e.trainAccuracy), color: '#2f6fed' },
      { label: 'valid acc', values: epochs.map((e) => e.validAccuracy), color: '#d64545' },
    ],
    [epochs],
  );
  const training = config?.evaluator !== 'nb201';
  const total = config?.training.epochs;
  const running = candidate?.status === 'running';
  const last = epochs[epochs.length - 1];
  return (
    <div className="panel live-current">
      <div className="live-section-head">
        <h3 data-testid="live-current-heading">{candidateHeading(candidate, props.runStatus)}</h3>
        {candidate && (
          <span className="muted" data-testid="live-current-status">
            {running
              ? training
                ? `epoch ${epochs.length} / ${total ?? '?'}`
                : 'evaluating'
              : candidate.status === 'interrupted'
                ? `${props.runStatus === 'stopped' ? 'stopped with the run' : 'interrupted'}${training ? ` after ${epochs.length} of ${total ?? '?'} epochs` : ''}: not scored`
                : `${candidateStatusText(candidate)}${candidate.cached ? ' (cached)' : ''} · val ${pct(candidate.signal)}${candidate.testAcc !== null ? ` · test ${pct(candidate.testAcc)}` : ''}`}
            {candidate.prediction && (
              <span data-testid="live-current-prediction">
                {' '}
                · predicted {formatPrediction(candidate.prediction)}
                {!running && ` (error ${formatPoints(predictionError(candidate.prediction, candidate.signal))})`}
              </span>
            )}
          </span>
        )}
      </div>
      {candidate && (
        <div className="live-label" title={candidate.label}>
          {candidate.label}
        </div>
      )}
      {candidate?.error && <div className="error">{candidate.error}</div>}
      <ArchitectureGraph
        architecture={candidate?.architecture}
        progress={training && candidate ? progress : undefined}
        height={200}
        testId="live-current-graph"
        inputShape={props.inputShape}
        numClasses={props.numClasses}
      />
      <div className="live-epochs" data-testid="chart-epochs">
        {training ? (
          <>
            <Chart title="Loss per epoch" x={x} xAlternatives={time} series={loss} xLabel="epoch" yLabel="loss (cross-entropy)" logToggle height={150} testId="chart-epochs-loss" />
            <Chart title="Accuracy per epoch" x={x} xAlternatives={time} series={accuracy} xLabel="epoch" yLabel="accuracy" yPercent height={150} testId="chart-epochs-accuracy" />
          </>
        ) : (
          <div className="muted live-note">NAS-Bench-201 candidates are table lookups: no epochs to draw.</div>
        )}
      </div>
      {last && (
        <div className="muted live-note">
          last epoch: {last.seconds.toFixed(1)} s · {Math.round(last.imagesPerSecond).toLocaleString('en')} images/s
        </div>
      )}
    </div>
  );
});

// `n` (the columns' length) is what changes: the columns themselves are appended in place.
const SeriesCharts = memo(function SeriesCharts({ series, prunes }: { series: SeriesColumns; n: number; prunes: boolean }) {
  const { reward, accuracy: best } = candidateChartSeries(series, prunes);
  return (
    <div className="live-charts">
      <div className="panel">
        <Chart title="Reward per candidate" x={series.index} series={reward} xLabel="candidate" yLabel="reward" smoothing height={180} testId="chart-reward" />
      </div>
      <div className="panel">
        <Chart title="Best validation accuracy so far" x={series.index} series={best} xLabel="candidate" yLabel="validation accuracy" yPercent height={180} testId="chart-best" />
      </div>
    </div>
  );
});

const Diagnostics = memo(function Diagnostics({ columns, n }: { columns: DiagnosticsColumns; n: number }) {
  const charts = useMemo(
    () =>
      DIAGNOSTIC_CHARTS.map((d) => {
        const column = columns.values[d.key];
        const values = column ? (d.negate ? column.map((v) => (v === null ? null : -v)) : column.slice()) : new Array<number | null>(n).fill(null);
        return { ...d, values };
      }),
    // Recomputed when an update is appended (n), not on every render.
    [columns, n],
  );
  const x = useMemo(() => columns.iteration.slice(), [columns, n]);
  return (
    <div className="panel live-diagnostics" data-testid="chart-diagnostics">
      <h3>
        Agent updates <span className="muted">({n})</span>
      </h3>
      <div className="live-diagnostics-grid">
        {charts.map((c) => (
          <Chart key={c.key} title={c.title} x={x} series={[{ label: c.title, values: c.values }]} xLabel="update" yLabel={c.title} height={120} testId={`chart-diagnostics-${c.key}`} />
        ))}
      </div>
    </div>
  );
});
