/** A run's analysis views, in tabs above its candidates: Pareto front, parallel coordinates, which choices matter, and the agent. */
import { useEffect } from 'react';
import type { RunDetail } from '../../../../shared/history';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useApp, useAppPick } from '../../store';
import { AgentView } from './AgentView';
import './analysis.css';
import { ChoiceEffectsView } from './ChoiceEffectsView';
import { ParallelCoordinates } from './ParallelCoordinates';
import { ParetoView } from './ParetoView';
import { ANALYSIS_TABS, type AnalysisTab } from './slice';

const TAB_LABELS: Record<AnalysisTab, string> = {
  pareto: 'Pareto front',
  parallel: 'Parallel coordinates',
  choices: 'Which choices matter',
  agent: 'Agent',
};

export function AnalysisPanel({ run, version }: { run: RunDetail; version: number }) {
  const {
    analysisTab: tab, setAnalysisTab: setTab, loadAnalysis, analysisRunId: loadedFor,
    analysisLoading: loading, analysisError: error,
  } = useAppPick(
    'analysisTab', 'setAnalysisTab', 'loadAnalysis', 'analysisRunId', 'analysisLoading', 'analysisError',
  );
  const count = useApp((s) => s.analysisCandidates.length);

  // Another run, or new results of this one (version counts them).
  useEffect(() => {
    void loadAnalysis(run.id);
  }, [run.id, version, loadAnalysis]);

  return (
    <section className="analysis panel" data-testid="analysis" data-run-id={loadedFor ?? ''} data-loading={loading ? 'true' : 'false'} data-candidates={count}>
      <div className="analysis-tabs" role="tablist">
        <strong>Analysis</strong>
        {ANALYSIS_TABS.map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)} data-testid={`analysis-tab-${t}`}>
            {TAB_LABELS[t]}
          </button>
        ))}
        {loading && <span className="muted small-note">updating…</span>}
      </div>
      <ErrorBanner message={error} inline />
      {loadedFor === run.id && (
        <div className="analysis-body">
          {tab === 'pareto' && <ParetoView run={run} />}
          {tab === 'parallel' && <ParallelCoordinates />}
          {tab === 'choices' && <ChoiceEffectsView />}
          {tab === 'agent' && <AgentView run={run} />}
        </div>
      )}
    </section>
  );
}
