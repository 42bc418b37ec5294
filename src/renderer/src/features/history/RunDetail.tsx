/** The open run: its summary and config, actions (export, resume, extend, watch), and its candidates. */
import { useState } from 'react';
import { warmStartText, type RunDetail } from '../../../../shared/history';
import { ACTIVE_STATUSES, RunConfigFieldsSchema } from '../../../../shared/run-config';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDate, formatDuration, formatPercent } from '../../lib/format';
import { resumeCanHelp } from '../../../../shared/history';
import { runDisplayName, shortRunId } from '../../lib/runs';
import { useApp, useAppPick } from '../../store';
import { AnalysisPanel } from '../analysis/AnalysisPanel';
import { CandidateDetailPanel } from './CandidateDetail';
import { CandidatesTable } from './CandidatesTable';
import { ExportResultView } from './ExportResultView';
import { runDuration } from './model';
import { watchLive } from './slice';

/** The largest budget a run may have (an extended one too). */
const MAX_BUDGET = RunConfigFieldsSchema.shape.budget.maxValue ?? Number.MAX_SAFE_INTEGER;

export function RunDetailPanel({ now, candidatesVersion }: { now: number; candidatesVersion: number }) {
  const { selectedRunId: runId, runDetail: run } = useAppPick('selectedRunId', 'runDetail');
  const brushed = useApp((s) => (s.analysisRunId === runId ? s.brushedIndices : null));
  const clearBrushes = useApp((s) => s.clearBrushes);
  if (!runId) return null;
  if (!run || run.id !== runId) {
    return (
      <section className="run-detail panel muted" data-testid="run-detail" data-run-id={runId}>
        Loading run {shortRunId(runId)}…
      </section>
    );
  }
  return (
    <section className="run-detail panel" data-testid="run-detail" data-run-id={run.id}>
      <RunHeader run={run} />
      <RunSummary run={run} now={now} />
      <AnalysisPanel run={run} version={candidatesVersion} />
      <div className="run-body">
        <div className="run-body-table">
          <h3>
            Candidates <span className="muted">({run.evaluations} evaluated)</span>
            {brushed && (
              <span className="brush-note" data-testid="candidates-brushed">
                {brushed.length} kept by the brushes{' '}
                <button className="link-button" onClick={clearBrushes} data-testid="candidates-clear-brushes">
                  show all
                </button>
              </span>
            )}
          </h3>
          <CandidatesTable key={run.id} runId={run.id} version={candidatesVersion} indices={brushed} />
        </div>
        <div className="run-body-detail">
          <CandidateDetailPanel run={run} />
        </div>
      </div>
    </section>
  );
}

function RunHeader({ run }: { run: RunDetail }) {
  const {
    historyBusy: busy, historyExport, exportFromHistory, resumeFromHistory, liveRunAgain: runAgain,
  } = useAppPick('historyBusy', 'historyExport', 'exportFromHistory', 'resumeFromHistory', 'liveRunAgain');
  const browser = useApp((s) => s.info?.shell === 'browser');
  const [extending, setExtending] = useState<string | null>(null);
  const active = ACTIVE_STATUSES.includes(run.status);
  const extendBudget = extending === null ? NaN : Number(extending);
  const extendValid = Number.isInteger(extendBudget) && extendBudget > run.evaluations && extendBudget <= MAX_BUDGET;

  const watch = () => watchLive(useApp.getState(), run.id);
  const confirmExtend = () => {
    if (!extendValid) return;
    setExtending(null);
    void resumeFromHistory(extendBudget);
  };

  return (
    <>
      <div className="detail-head">
        <div>
          <h2>
            {runDisplayName(run)} <StatusBadge status={run.status} reason={run.statusReason} />
          </h2>
          <div className="mono muted small-note">{run.id}</div>
          {run.statusReason && <div className="status-reason">{run.statusReason}</div>}
        </div>
        <div className="actions">
          <button
            className="secondary"
            disabled={run.bestIndex === null || busy !== null}
            title={run.bestIndex === null ? 'No finished candidate yet' : `Candidate #${run.bestIndex}'s model and the run's history, as a zip on your computer`}
            onClick={() => void exportFromHistory()}
            data-testid="run-export"
          >
            {busy === 'export' ? 'Exporting…' : browser ? 'Download best' : 'Export best…'}
          </button>
          {browser && (
            <button
              className="secondary"
              disabled={run.bestIndex === null || busy !== null}
              title="Write the same files into the server's export folder instead (where the searches run)"
              onClick={() => void exportFromHistory(undefined, 'server')}
              data-testid="run-export-server"
            >
              Export on server
            </button>
          )}
          {resumeCanHelp(run) && (
            <button className="primary" disabled={busy !== null} onClick={() => void resumeFromHistory()} data-testid="run-resume" title="Continue from the last checkpoint">
              {busy === 'resume' ? 'Resuming…' : 'Resume'}
            </button>
          )}
          {run.status === 'failed' && !resumeCanHelp(run) && (
            <button
              className="primary"
              onClick={() => runAgain(run.config)}
              data-testid="run-again"
              title="It failed while setting up, so resuming would fail the same way: open the launcher with its settings to change the cause"
            >
              Run again with changes…
            </button>
          )}
          {run.status === 'completed' && extending === null && (
            <button
              className="secondary"
              disabled={busy !== null}
              onClick={() => setExtending(String(Math.max(run.budget * 2, run.evaluations + 1)))}
              data-testid="run-extend"
              title="Continue this run with a larger budget"
            >
              Extend…
            </button>
          )}
          {active && (
            <button className="primary" onClick={watch} data-testid="run-watch">
              Watch live
            </button>
          )}
        </div>
      </div>
      {extending !== null && (
        <div className="extend-form">
          <label>
            New budget (more than {run.evaluations}):{' '}
            <input
              type="number"
              min={run.evaluations + 1}
              max={MAX_BUDGET}
              step={1}
              autoFocus
              value={extending}
              onChange={(e) => setExtending(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') confirmExtend();
                if (e.key === 'Escape') setExtending(null);
              }}
              data-testid="run-extend-budget"
            />
          </label>{' '}
          <button className="primary" disabled={!extendValid} onClick={confirmExtend} data-testid="run-extend-confirm">
            Extend
          </button>{' '}
          <button className="secondary" onClick={() => setExtending(null)}>
            Cancel
          </button>
        </div>
      )}
      {historyExport?.scope === 'run' && <ExportResultView result={historyExport.result} />}
    </>
  );
}

function RunSummary({ run, now }: { run: RunDetail; now: number }) {
  const config = run.config;
  return (
    <div className="run-summary">
      <dl className="facts">
        <dt>Strategy</dt>
        <dd>
          {run.strategy}
          {run.strategy === 'ppo' && run.mode ? ` (${run.mode})` : ''}
          {config.predictor === 'gp' ? ' + GP predictor' : ''}
        </dd>
        {config.warmStart && (
          <>
            <dt>Warm start</dt>
            <dd data-testid="run-warm-start">{run.warmStart ? warmStartText(run.warmStart) : 'asked for; the run has not started yet'}</dd>
          </>
        )}
        <dt>Evaluator</dt>
        <dd>{run.evaluator}</dd>
        <dt>Dataset</dt>
        <dd>{run.dataset ?? '–'}</dd>
        <dt>Done</dt>
        <dd>
          {run.evaluations}/{run.budget}
          {run.cacheHits > 0 ? ` (${run.cacheHits} cached)` : ''}
        </dd>
        <dt>Best</dt>
        <dd>
          {run.bestIndex === null ? (
            '–'
          ) : (
            <>
              #{run.bestIndex}: val {formatPercent(run.bestSignal)}, test {formatPercent(run.bestTestAcc)}
              {run.bestLabel && <div className="mono small-note best-label">{run.bestLabel}</div>}
            </>
          )}
        </dd>
        <dt>Backend</dt>
        <dd>{run.backend ? `${run.backend}${run.device ? ` · ${run.device}` : ''}` : '–'}</dd>
        <dt>Seed</dt>
        <dd>{run.seed ?? '–'}</dd>
        <dt>Started</dt>
        <dd>{formatDate(run.startedAt ?? run.createdAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatDate(run.finishedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(runDuration(run, now))}</dd>
      </dl>
      <details className="config">
        <summary>
          Config
          {config.evaluator === 'training' && (
            <span className="muted">
              {' '}
              · {config.training.epochs} epochs, batch {config.training.batchSize}, {config.training.optimizer} lr {config.training.learningRate}
              {config.training.selectiveBackprop ? ` · selective backprop β ${config.training.selectiveBackprop.beta}` : ''}
              {config.actionSet ? ` · action set “${config.actionSet.name}”` : ''}
            </span>
          )}
        </summary>
        <pre data-testid="run-config">{JSON.stringify(config, null, 2)}</pre>
      </details>
    </div>
  );
}
