import { useEffect, useState } from 'react';
import type { BackendReport } from '../../shared/backend';

type BackendState =
  | { status: 'loading' }
  | { status: 'ready'; report: BackendReport }
  | { status: 'error'; message: string }
  /** Opened outside Electron (e.g. a plain browser): there is no preload API. */
  | { status: 'unavailable' };

function useBackend(): BackendState {
  const [state, setState] = useState<BackendState>(() =>
    window.gennerator ? { status: 'loading' } : { status: 'unavailable' },
  );

  useEffect(() => {
    const api = window.gennerator;
    if (!api) return;
    let cancelled = false;
    api.getBackend().then(
      (report) => {
        if (!cancelled) setState({ status: 'ready', report });
      },
      (error: unknown) => {
        if (!cancelled) setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
    // StrictMode mounts effects twice in development; ignore the stale answer.
    return () => {
      cancelled = true;
    };
  }, []);

  return state;
}

function BackendBadge({ state }: { state: BackendState }) {
  switch (state.status) {
    case 'loading':
      return <span className="badge">Starting the engine…</span>;
    case 'ready':
      return (
        <span className="badge" title={`tf.getBackend(): ${state.report.tfBackend}`}>
          <strong>{state.report.name}</strong> · {state.report.device}
        </span>
      );
    case 'error':
      return (
        <span className="badge" role="alert">
          Engine failed to start: {state.message}
        </span>
      );
    case 'unavailable':
      return (
        <span className="badge" role="status">
          No engine connection: this page is not running inside the geNNerator app.
        </span>
      );
  }
}

export function App() {
  const backend = useBackend();
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: '2rem' }}>
      <h1>geNNerator</h1>
      <p>
        Backend: <BackendBadge state={backend} />
      </p>
    </main>
  );
}
