/**
 * One controller: how far it has learned, its learning curve (return, final validation accuracy,
 * interventions and the intervention threshold per episode), the episode in training while it learns,
 * the tasks it learned on, and the tuning sessions that applied it. Stop, resume, or apply it to a model.
 */
import { useState } from 'react';
import type { ControllerSummary, TuneSessionSummary } from '../../../../shared/tuning';
import { Chart } from '../../components/Chart';
import { StatusBadge } from '../../components/StatusBadge';
import { useApp, useAppPick } from '../../store';
import { compareSchedules, formatAccuracy, learningCurve, meanStd } from './model';
import { TimelineCharts } from './TimelineCharts';

export function ControllerDetail({ controller }: { controller: ControllerSummary }) {
  const {
    tuneLive: live, tuneSessions, tuneStop: stop, tuneLearn: learn, tuneSelect: select, tuneBusy: busy,
  } = useAppPick('tuneLive', 'tuneSessions', 'tuneStop', 'tuneLearn', 'tuneSelect', 'tuneBusy');
  const sessions = tuneSessions.filter((s) => s.controller === controller.name);
  const [more, setMore] = useState(String(controller.settings.episodes + 10));
  const curve = learningCurve(controller.curve);
  const recent = controller.curve.slice(-10);
  const inTraining = live.at(-1);
  const task = inTraining && controller.tasks.find((t) => t.name === inTraining.track.task);
  const learning = controller.status === 'learning';

  return (
    <div className="tune-detail panel" data-testid="tune-controller">
      <div className="detail-head">
        <h2>
          Controller {controller.name} <StatusBadge status={controller.status} reason={controller.error} />
        </h2>
        <div className="actions">
          {controller.episodesDone > 0 && (
            <button type="button" className="primary" onClick={() => void select({ kind: 'apply', controller: controller.name })} data-testid="tune-apply-this">
              Apply to a model…
            </button>
          )}
          {learning && (
            <button type="button" className="secondary" onClick={() => void stop({ kind: 'learn', controller: controller.name })} data-testid="tune-stop">
              Stop
            </button>
          )}
          {!learning && (
            <span className="resume-form">
              <input type="number" min={controller.episodesDone + 1} value={more} onChange={(e) => setMore(e.target.value)} aria-label="episodes in all" data-testid="tune-resume-episodes" />
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => void learn({ name: controller.name, resume: true, episodes: Number(more) })}
                data-testid="tune-resume"
                title="learn more episodes, from the last one finished"
              >
                Learn up to this many episodes
              </button>
            </span>
          )}
        </div>
      </div>
      {controller.error && (
        <div className="status-reason" data-testid="tune-controller-error">
          {controller.error}
        </div>
      )}
      <div className="tune-summary">
        <Fact label="episodes learned" testId="tune-episodes">
          {controller.episodesDone} of {controller.settings.episodes}
        </Fact>
        <Fact label="mean return, last 10" testId="tune-recent-return">
          {recent.length ? meanStd(recent.map((p) => p.return)).mean!.toFixed(3) : '–'}
        </Fact>
        <Fact label="final valid accuracy, last 10" testId="tune-recent-accuracy">
          {formatAccuracy(meanStd(recent.map((p) => p.finalValidAccuracy)).mean, null)}
        </Fact>
        <Fact label="threshold now" testId="tune-threshold">
          {recent.length && Number.isFinite(recent.at(-1)!.threshold) ? recent.at(-1)!.threshold.toFixed(2) : controller.settings.threshold.initial.toFixed(2)}
        </Fact>
        <Fact label="update every" testId="tune-frequency">
          {controller.settings.trainFrequencyMin}–{controller.settings.trainFrequencyMax} decisions
        </Fact>
      </div>

      <h3>Learning curve</h3>
      <div className="tune-curves">
        <Chart testId="tune-curve-return" title="Return per episode" x={curve.x} series={[{ label: 'return', values: curve.returns }]} xLabel="episode" smoothing height={180} />
        <Chart testId="tune-curve-accuracy" title="Final validation accuracy per episode" x={curve.x} series={[{ label: 'valid accuracy', values: curve.validAccuracy }]} xLabel="episode" yPercent smoothing height={180} />
        <Chart testId="tune-curve-interventions" title="Interventions per episode" x={curve.x} series={[{ label: 'interventions', values: curve.interventions, points: true }]} xLabel="episode" height={150} />
        <Chart testId="tune-curve-threshold" title="Intervention threshold (end of episode)" x={curve.x} series={[{ label: 'threshold', values: curve.threshold }]} xLabel="episode" height={150} />
      </div>

      {learning && inTraining && task && (
        <>
          <h3 data-testid="tune-live-episode">
            Episode {inTraining.track.episode} in training: {task.name}, epoch {inTraining.epochs.length} of {task.epochs}
          </h3>
          <TimelineCharts traces={[{ schedule: 'controller', trace: inTraining }]} totalEpochs={task.epochs} initial={task.initial} testId="tune-live-charts" />
        </>
      )}

      <h3>Tasks it learns on ({controller.tasks.length})</h3>
      <table className="tune-tasks" data-testid="tune-tasks">
        <thead>
          <tr>
            <th>network</th>
            <th className="num">layers</th>
            <th>dataset</th>
            <th className="num">epochs</th>
            <th className="num">decisions / epoch</th>
            <th>starts at</th>
          </tr>
        </thead>
        <tbody>
          {controller.tasks.map((t, i) => (
            <tr key={i}>
              <td>{t.name}</td>
              <td className="num">{t.layers.length}</td>
              <td>
                {t.dataset}
                {t.subset ? ` (${t.subset})` : ''}
              </td>
              <td className="num">{t.epochs}</td>
              <td className="num">{t.decisionsPerEpoch}</td>
              <td>
                lr {t.initial.learningRate} {t.initial.optimizer}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Tuning sessions with it ({sessions.length})</h3>
      <SessionsMini sessions={sessions} />
    </div>
  );
}

function Fact({ label, testId, children }: { label: string; testId: string; children: React.ReactNode }) {
  return (
    <div className="fact">
      <div className="fact-label">{label}</div>
      <div className="fact-value" data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

function SessionsMini({ sessions }: { sessions: TuneSessionSummary[] }) {
  const select = useApp((s) => s.tuneSelect);
  if (sessions.length === 0) return <div className="muted">none yet</div>;
  return (
    <ul className="tune-mini">
      {sessions.map((s) => {
        const rows = compareSchedules(s);
        const controller = rows.find((r) => r.schedule === 'controller');
        return (
          <li key={s.id}>
            <button type="button" className="link-button" onClick={() => void select({ kind: 'session', id: s.id })}>
              session {s.id}: {s.task.name}
            </button>{' '}
            {s.status} · controller {formatAccuracy(controller?.testMean ?? null, null)}
          </li>
        );
      })}
    </ul>
  );
}
