/**
 * The app shell: a header with the views and the backend badge; each view is a feature folder. It
 * keeps where the app is in the address (a reload comes back there) and handles the keyboard shortcuts.
 */
import { useEffect, useState } from 'react';
import { api } from './api';
import { ErrorBanner } from './components/ErrorBanner';
import { ShortcutsSheet } from './components/ShortcutsSheet';
import { locationHash } from './lib/location';
import { isTyping, shortcutAction, type ShortcutAction } from './lib/shortcuts';
import { StartView } from './features/start/StartView';
import { EditorView } from './features/action-set-editor/EditorView';
import { CompareView } from './features/compare/CompareView';
import { HistoryView } from './features/history/HistoryView';
import { LiveView } from './features/run-live/LiveView';
import { TuneView } from './features/tune/TuneView';
import { useApp, useAppPick } from './store';
import type { View } from './store/shell-slice';
import './styles.css';

const VIEWS: Array<{ id: View; label: string }> = [
  { id: 'start', label: 'Start' },
  { id: 'editor', label: 'Action sets' },
  { id: 'live', label: 'Run' },
  { id: 'history', label: 'History' },
  { id: 'compare', label: 'Compare' },
  { id: 'tune', label: 'Tune' },
];

function BackendBadge() {
  const info = useApp((s) => s.info);
  const backend = info?.backend;
  if (!backend) return <span className="badge muted">probing backend…</span>;
  return (
    <span className="badge" data-testid="backend-badge" title={`tf.getBackend(): ${backend.tfBackend}`}>
      <strong>{backend.name}</strong> · {backend.device}
    </span>
  );
}

export function App() {
  const { view, setView, loadInfo, shellError, onRunUpdate } = useAppPick(
    'view',
    'setView',
    'loadInfo',
    'shellError',
    'onRunUpdate',
  );
  const [help, setHelp] = useState(false);

  // The address follows the view and the run watched.
  useEffect(() => {
    const write = (state: ReturnType<typeof useApp.getState>) => {
      const hash = locationHash({ view: state.view, runId: state.liveRun?.runId });
      if (window.location.hash !== hash) window.history.replaceState(null, '', hash || window.location.pathname);
    };
    write(useApp.getState());
    return useApp.subscribe(write);
  }, []);

  useEffect(() => {
    const run = (action: ShortcutAction) => {
      const state = useApp.getState();
      if (action === 'help') return setHelp((shown) => !shown);
      if (action === 'close') return setHelp(false);
      if (action.startsWith('view:')) return state.setView(action.slice('view:'.length) as View);
      if (action === 'undo') return state.editorUndo();
      if (action === 'redo') return state.editorRedo();
      if (action === 'save') return void state.saveActionSet();
      if (action === 'new-run') {
        state.setView('live');
        return state.liveSetShowLauncher(true);
      }
      if (action === 'pause-resume') {
        const status = state.liveRun?.status;
        if (status === 'running') void state.livePause();
        else if (status === 'paused') void state.liveResume();
      }
    };
    const onKey = (event: KeyboardEvent) => {
      const action = shortcutAction(event, { typing: isTyping(event.target), view: useApp.getState().view });
      if (!action) return;
      event.preventDefault();
      run(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    void loadInfo();
    // The backend is probed in the background: ask again until it is known.
    const timer = setInterval(() => {
      if (!useApp.getState().info?.backend) void loadInfo();
    }, 2000);
    const unsubscribe = api.onUpdate(onRunUpdate);
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, [loadInfo, onRunUpdate]);

  return (
    <div className="app">
      <header className="app-header">
        <span className="logo">geNNerator</span>
        <nav>
          {VIEWS.map((v) => (
            <button key={v.id} className={view === v.id ? 'tab active' : 'tab'} onClick={() => setView(v.id)} data-testid={`nav-${v.id}`}>
              {v.label}
            </button>
          ))}
        </nav>
        <BackendBadge />
        <button type="button" className="icon-button help-button" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)} data-testid="shortcuts-button">
          ?
        </button>
      </header>
      <ErrorBanner message={shellError} />
      <main className="app-main">
        {view === 'start' && <StartView />}
        {view === 'editor' && <EditorView />}
        {view === 'live' && <LiveView />}
        {view === 'history' && <HistoryView />}
        {view === 'compare' && <CompareView />}
        {view === 'tune' && <TuneView />}
      </main>
      {help && <ShortcutsSheet onClose={() => setHelp(false)} />}
    </div>
  );
}
