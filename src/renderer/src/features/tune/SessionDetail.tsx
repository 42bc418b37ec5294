/**
 * One tuning session: the controller against the baselines (test accuracy over the seeds), the
 * training of the chosen seed on one time axis with the hyperparameters beneath, and the schedule the
 * controller followed, one line per decision. A running session fills in as its schedules train.
 */
import { useMemo, useState } from 'react';
import { Options } from '../../components/Options';
import { StatusBadge } from '../../components/StatusBadge';
import { useAppPick } from '../../store';
import type { Hyperparameters, TuneSessionSummary } from '../../../../shared/tuning';
import { compareSchedules, describeDecision, formatAccuracy, SCHEDULE_LABELS, withBefore, type TrainingTrace } from './model';
import { trackKey } from './slice';
import { TimelineCharts, type ScheduleTrace } from './TimelineCharts';

export function SessionDetail({ session }: { session: TuneSessionSummary }) {
  const { tuneLive: live, tuneStop: stop } = useAppPick('tuneLive', 'tuneStop');
  const seeds = useMemo(() => [...new Set(session.schedules.map((s) => s.seed))], [session]);
  const [seedChoice, setSeed] = useState<number | null>(null);
  const seed = seedChoice !== null && seeds.includes(seedChoice) ? seedChoice : seeds[0];
  const rows = compareSchedules(session);
  const { task } = session;

  const traces: ScheduleTrace[] = session.schedules
    .filter((s) => s.seed === seed)
    .flatMap((s): ScheduleTrace[] => {
      const trace: TrainingTrace | undefined = s.outcome ?? live.find((t) => trackKey(t.track) === `${s.schedule}/${s.seed}/`);
      return trace ? [{ schedule: s.schedule, trace }] : [];
    });
  const controller = traces.find((t) => t.schedule === 'controller')?.trace;
  const fineTuning = live.filter((t) => t.track.episode !== undefined).at(-1);

  return (
    <div className="tune-detail panel" data-testid="tune-session">
      <div className="detail-head">
        <h2>
          Session {session.id}: {task.name} <StatusBadge status={session.status} reason={session.error} />
        </h2>
        {session.status === 'running' && (
          <button type="button" className="secondary" onClick={() => void stop({ kind: 'apply', sessionId: session.id })} data-testid="tune-stop">
            Stop
          </button>
        )}
      </div>
      <div className="tune-facts" data-testid="tune-session-facts">
        controller <strong>{session.controller}</strong> · {task.dataset}
        {task.subset ? ` (subset ${task.subset})` : ''} · {task.epochs} epochs · {task.layers.length} layers · starts at lr {task.initial.learningRate} {task.initial.optimizer}
      </div>
      {session.error && (
        <div className="status-reason" data-testid="tune-session-error">
          {session.error}
        </div>
      )}
      {fineTuning && session.status === 'running' && (
        <div className="muted" data-testid="tune-fine-tuning">
          fine-tuning the controller on this model: episode {fineTuning.track.episode}, epoch {fineTuning.epochs.length} of {task.epochs}
        </div>
      )}

      <h3>Controller vs baselines</h3>
      <table className="tune-compare" data-testid="tune-compare-table">
        <thead>
          <tr>
            <th>schedule</th>
            <th className="num">seeds</th>
            <th className="num">test accuracy (mean ± std)</th>
            <th className="num">final valid accuracy</th>
            <th className="num">interventions</th>
            <th className="num">seconds</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.schedule} className={row.best ? 'best' : undefined} data-testid="tune-compare-row" data-schedule={row.schedule}>
              <td>
                {SCHEDULE_LABELS[row.schedule]}
                {row.best && <span className="best-mark"> best</span>}
                {row.diverged > 0 && <span className="error"> {row.diverged} diverged</span>}
              </td>
              <td className="num">
                {row.done}/{row.planned}
              </td>
              <td className="num" data-testid="tune-compare-test">
                {formatAccuracy(row.testMean, row.testStd)}
              </td>
              <td className="num">{formatAccuracy(row.validMean, null)}</td>
              <td className="num">{row.interventionsMean === null ? '' : row.interventionsMean.toFixed(1)}</td>
              <td className="num">{row.secondsMean === null ? '–' : row.secondsMean.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="tune-seed-row">
        <h3>Training</h3>
        {seeds.length > 1 && (
          <label>
            seed{' '}
            <select value={seed} onChange={(e) => setSeed(Number(e.target.value))} data-testid="tune-seed">
              <Options values={seeds} />
            </select>
          </label>
        )}
      </div>
      {traces.length === 0 ? <div className="muted">no epoch trained yet</div> : <TimelineCharts traces={traces} totalEpochs={task.epochs} initial={task.initial} />}

      <h3>The schedule the controller followed{seeds.length > 1 ? ` (seed ${seed})` : ''}</h3>
      <ScheduleList trace={controller} totalEpochs={task.epochs} initial={task.initial} />
    </div>
  );
}

export function ScheduleList({ trace, totalEpochs, initial }: { trace: TrainingTrace | undefined; totalEpochs: number; initial: Hyperparameters }) {
  const [all, setAll] = useState(false);
  if (!trace || trace.decisions.length === 0) return <div className="muted">no decision yet</div>;
  const interventions = trace.decisions.filter((d) => d.intervened);
  const shown = withBefore(trace.decisions, initial).filter(({ decision }) => all || decision.intervened);
  return (
    <div className="tune-schedule">
      <div className="muted" data-testid="tune-schedule-summary">
        {interventions.length} intervention{interventions.length === 1 ? '' : 's'} in {trace.decisions.length} decisions
        {' · '}
        <label>
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} data-testid="tune-schedule-all" /> show every decision
        </label>
      </div>
      <ol className="tune-decisions">
        {shown.map(({ decision: d, before }) => (
          <li key={d.step} className={d.intervened ? 'intervened' : undefined} data-testid={d.intervened ? 'tune-intervention' : 'tune-decision'}>
            {describeDecision(d, totalEpochs, before)}
          </li>
        ))}
      </ol>
    </div>
  );
}
