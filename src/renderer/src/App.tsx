/** The app shell: a header with the views and the backend badge; each view is a feature folder. */
import { useEffect } from 'react';
import { api } from './api';
import { ErrorBanner } from './components/ErrorBanner';
import { EditorView } from './features/action-set-editor/EditorView';
import { CompareView } from './features/compare/CompareView';
import { HistoryView } from './features/history/HistoryView';
import { LiveView } from './features/run-live/LiveView';
import { useApp } from './store';
import type { View } from './store/shell-slice';
import './styles.css';

const VIEWS: Array<{ id: View; label: string }> = [
  { id: 'editor', label: 'Action sets' },
  { id: 'live', label: 'Run' },
  { id: 'history', label: 'History' },
  { id: 'compare', label: 'Compare' },
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
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const loadInfo = useApp((s) => s.loadInfo);
  const shellError = useApp((s) => s.shellError);
  const onRunUpdate = useApp((s) => s.onRunUpdate);

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
      </header>
      <ErrorBanner message={shellError} />
      <main className="app-main">
        {view === 'editor' && <EditorView />}
        {view === 'live' && <LiveView />}
        {view === 'history' && <HistoryView />}
        {view === 'compare' && <CompareView />}
      </main>
    </div>
  );
}
