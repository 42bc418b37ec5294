/** The first screen: what the app does, and how to start (a search in one click, or each step by hand). */
import { useEffect, useMemo } from 'react';
import { useAppPick } from '../../store';
import { quickStartConfig } from './quick-start';
import './start.css';

export function StartView() {
  const { liveActionSets, liveLoadActionSets, liveStart, liveLaunching, liveLaunchError, setView } = useAppPick(
    'liveActionSets', 'liveLoadActionSets', 'liveStart', 'liveLaunching', 'liveLaunchError', 'setView',
  );
  const quick = useMemo(() => quickStartConfig(liveActionSets), [liveActionSets]);

  useEffect(() => {
    void liveLoadActionSets();
  }, [liveLoadActionSets]);

  const startSearch = async () => {
    if (!('config' in quick)) return;
    setView('live');
    await liveStart(quick.config);
  };

  return (
    <section className="view start-view" data-testid="start-view">
      <div className="panel start-panel">
        <h1>Let an agent design a neural network</h1>
        <p>
          An agent proposes networks from an <strong>action set</strong> (the layers it may use and how they may connect), each network is trained and scored, and the
          agent learns from the scores which choices work.
        </p>
        <div className="start-quick">
          <button type="button" className="primary start-button" disabled={!('config' in quick) || liveLaunching} onClick={() => void startSearch()} data-testid="start-quick">
            Start a search
          </button>
          <span className="muted" data-testid="start-quick-what">
            {'config' in quick
              ? `PPO on the built-in “${quick.set.name}” action set · synthetic data (no download) · ${quick.form.budget} networks of ${quick.form.epochs} epochs: a few minutes`
              : liveActionSets.length === 0
                ? 'loading the action sets…'
                : quick.error}
          </span>
        </div>
        {liveLaunchError && (
          <div className="error" role="alert">
            {liveLaunchError}
          </div>
        )}
        <h2>Or step by step</h2>
        <ol className="start-steps">
          <li>
            <button type="button" className="link" onClick={() => setView('editor')} data-testid="start-open-editor">
              Action sets
            </button>
            : choose a built-in set or draw your own: layers, their parameter values, which may follow which.
          </li>
          <li>
            <button type="button" className="link" onClick={() => setView('live')} data-testid="start-open-launcher">
              Run
            </button>
            : pick the data (Fashion-MNIST, CIFAR-10, synthetic, or a NAS-Bench-201 table), the agent and the budget, then watch the candidates train.
          </li>
          <li>
            <button type="button" className="link" onClick={() => setView('history')}>
              History
            </button>{' '}
            and Compare: every run is kept; read its best networks, what mattered, and set runs side by side.
          </li>
        </ol>
        <p className="muted">
          Press <kbd>?</kbd> for the keyboard shortcuts.
        </p>
      </div>
    </section>
  );
}
