/**
 * The Tune tab (the second mode): controllers that learned to steer a network's training, and the
 * tuning sessions that applied them against baseline schedules. The lists are on the left; a
 * controller, a session or a form opens on the right. Learning and tuning run in an engine process;
 * main's TuneUpdates fill in the training under way and refresh the lists (throttled).
 */
import { useEffect } from 'react';
import type { ControllerSummary, TuneSessionSummary } from '../../../../shared/tuning';
import { api } from '../../api';
import '../../components/common.css';
import { ErrorBanner } from '../../components/ErrorBanner';
import { StatusBadge } from '../../components/StatusBadge';
import { throttle } from '../../lib/throttle';
import { useApp, useAppPick } from '../../store';
import { ControllerDetail } from './ControllerDetail';
import { compareSchedules, formatAccuracy } from './model';
import { SessionDetail } from './SessionDetail';
import { ApplyFormView, LearnFormView } from './TuneForms';
import './tune.css';

const REFRESH_MS = 1000;

export function TuneView() {
  const {
    tuneLoad: load, tuneError: error, tuneClearError: clearError, tuneSelection: selection,
  } = useAppPick('tuneLoad', 'tuneError', 'tuneClearError', 'tuneSelection');

  useEffect(() => {
    void load();
    const state = () => useApp.getState();
    void state().tuneReloadDetail();
    const refresh = throttle(() => void state().tuneLoad(), REFRESH_MS);
    const unsubscribe = api.onTuneUpdate((update) => {
      if (state().tuneOnUpdate(update)) refresh();
    });
    return () => {
      unsubscribe();
      refresh.cancel();
    };
  }, [load]);

  return (
    <section className="view tune-view" data-testid="tune-view">
      <Sidebar />
      <div className="tune-main">
        <ErrorBanner message={error} inline testId="tune-error" onDismiss={clearError} />
        {selection === null && <Welcome />}
        {selection?.kind === 'apply' && <ApplyFormView key={selection.controller ?? ''} controller={selection.controller} />}
        {selection?.kind === 'learn' && <LearnFormView />}
        {selection?.kind === 'controller' && <OpenController />}
        {selection?.kind === 'session' && <OpenSession />}
      </div>
    </section>
  );
}

function Sidebar() {
  const {
    tuneControllers: controllers, tuneSessions: sessions, tuneLoaded: loaded, tuneSelection: selection,
    tuneSelect: select,
  } = useAppPick('tuneControllers', 'tuneSessions', 'tuneLoaded', 'tuneSelection', 'tuneSelect');
  return (
    <aside className="tune-side">
      <div className="tune-side-actions">
        <button type="button" className="primary" onClick={() => void select({ kind: 'apply' })} data-testid="tune-new-apply">
          Tune a model…
        </button>
        <button type="button" className="secondary" onClick={() => void select({ kind: 'learn' })} data-testid="tune-new-learn">
          Learn a controller…
        </button>
      </div>
      <h3>Controllers</h3>
      {loaded && controllers.length === 0 && <div className="muted">none yet</div>}
      <ul className="tune-list" data-testid="tune-controllers">
        {controllers.map((c) => (
          <ControllerItem key={c.name} controller={c} selected={selection?.kind === 'controller' && selection.name === c.name} onSelect={() => void select({ kind: 'controller', name: c.name })} />
        ))}
      </ul>
      <h3>Tuning sessions</h3>
      {loaded && sessions.length === 0 && <div className="muted">none yet</div>}
      <ul className="tune-list" data-testid="tune-sessions">
        {sessions.map((s) => (
          <SessionItem key={s.id} session={s} selected={selection?.kind === 'session' && selection.id === s.id} onSelect={() => void select({ kind: 'session', id: s.id })} />
        ))}
      </ul>
    </aside>
  );
}

function ControllerItem({ controller: c, selected, onSelect }: { controller: ControllerSummary; selected: boolean; onSelect: () => void }) {
  return (
    <li className={selected ? 'selected' : undefined} onClick={onSelect} data-testid="tune-controller-row" data-name={c.name}>
      <div className="tune-item-head">
        <strong>{c.name}</strong> <StatusBadge status={c.status} reason={c.error} />
      </div>
      <div className="muted">
        {c.episodesDone}/{c.settings.episodes} episodes · {c.tasks.length} task{c.tasks.length === 1 ? '' : 's'}
      </div>
    </li>
  );
}

function SessionItem({ session: s, selected, onSelect }: { session: TuneSessionSummary; selected: boolean; onSelect: () => void }) {
  const rows = compareSchedules(s);
  const controller = rows.find((r) => r.schedule === 'controller');
  const bestBaseline = rows.filter((r) => r.schedule !== 'controller' && r.testMean !== null).sort((a, b) => b.testMean! - a.testMean!)[0];
  return (
    <li className={selected ? 'selected' : undefined} onClick={onSelect} data-testid="tune-session-row" data-id={s.id}>
      <div className="tune-item-head">
        <strong>
          #{s.id} {s.task.name}
        </strong>{' '}
        <StatusBadge status={s.status} reason={s.error} />
      </div>
      <div className="muted">
        {s.controller} · {s.task.dataset} · controller {formatAccuracy(controller?.testMean ?? null, null)}
        {bestBaseline ? ` vs ${bestBaseline.schedule} ${formatAccuracy(bestBaseline.testMean, null)}` : ''}
      </div>
    </li>
  );
}

function OpenController() {
  const controller = useApp((s) => s.tuneController);
  if (!controller) return <div className="muted">loading…</div>;
  return <ControllerDetail controller={controller} />;
}

function OpenSession() {
  const session = useApp((s) => s.tuneSession);
  if (!session) return <div className="muted">loading…</div>;
  return <SessionDetail key={session.id} session={session} />;
}

function Welcome() {
  return (
    <div className="panel tune-welcome" data-testid="tune-welcome">
      <h2>Tune: a controller that steers training</h2>
      <p>
        A controller is a reinforcement-learning agent that watches a network train and changes its learning rate, optimizer, dropout and weight decay while it trains. It learns when to intervene and
        when to let training run, and what it learned is reused on networks it has never seen.
      </p>
      <p>Learn one on a few small networks, then apply it to a model: it trains the model under the controller and with baseline schedules (constant, cosine and step decay) for comparison.</p>
    </div>
  );
}
