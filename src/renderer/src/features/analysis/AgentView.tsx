/** The agent made visible: whether the budget lets it learn, its policy per slot over its updates, and the reward's parts per candidate. */
import { useMemo } from 'react';
import { agentBudgetWarning } from '../../../../shared/agent-budget';
import type { RunDetail } from '../../../../shared/history';
import { BudgetWarning } from '../../components/BudgetWarning';
import { Chart } from '../../components/Chart';
import { useAppPick } from '../../store';
import { policyHeatmap, policyLabels, type PolicyHeatmap } from './policy';
import { rewardPartSeries } from './reward';

export function AgentView({ run }: { run: RunDetail }) {
  const { analysisUpdates: updates, analysisCandidates: candidates } = useAppPick(
    'analysisUpdates', 'analysisCandidates',
  );
  const heatmap = useMemo(() => policyHeatmap(updates, policyLabels(run.config)), [updates, run.config]);
  const parts = useMemo(() => rewardPartSeries(candidates), [candidates]);
  const warning = agentBudgetWarning({ ...run.config, budget: run.budget });

  return (
    <div className="agent-view" data-testid="agent-view">
      <BudgetWarning message={warning} testId="agent-budget-warning" />
      <h4>Policy per slot, update by update</h4>
      {heatmap ? (
        <PolicyHeatmapView heatmap={heatmap} />
      ) : (
        <div className="muted empty-note" data-testid="policy-empty">
          {run.strategy === 'ppo'
            ? updates.length === 0
              ? 'The agent has not updated its policy yet.'
              : 'This run recorded no policy (it predates the policy view, or its agent trains on a predictor).'
            : `The ${run.strategy} strategy has no policy over the slots to show; only PPO's is recorded.`}
        </div>
      )}
      <h4>Reward per candidate, part by part</h4>
      {parts.x.length > 0 ? (
        <Chart title="Reward parts (they add up to the reward)" x={parts.x} series={parts.series} xLabel="candidate" yLabel="reward" height={200} testId="chart-reward-parts" />
      ) : (
        <div className="muted empty-note">No reward parts recorded for this run's candidates.</div>
      )}
    </div>
  );
}

function PolicyHeatmapView({ heatmap }: { heatmap: PolicyHeatmap }) {
  const { columns, rows } = heatmap;
  return (
    <div className="heatmap" data-testid="policy-heatmap" data-rows={rows.length} data-columns={columns.length}>
      <div className="heatmap-axis muted small-note">
        <span>after {columns[0]} candidates</span>
        <span>→ update → </span>
        <span>after {columns.at(-1)} candidates</span>
      </div>
      {rows.map((row, r) => (
        <div key={`${row.slot}:${row.value}`} className={r === 0 || rows[r - 1].slot !== row.slot ? 'heatmap-row first-of-slot' : 'heatmap-row'} data-testid="policy-row">
          <div className="heatmap-label" title={`${row.slotLabel}: ${row.valueLabel}`}>
            <span className="heatmap-slot">{r === 0 || rows[r - 1].slot !== row.slot ? row.slotLabel : ''}</span>
            <span className="mono">{row.valueLabel}</span>
          </div>
          <div className="heatmap-cells">
            {row.cells.map((p, c) => (
              <span key={c} className="heatmap-cell" style={{ background: `rgba(47, 111, 237, ${p.toFixed(3)})` }} title={`${row.slotLabel} = ${row.valueLabel}: ${(p * 100).toFixed(1)}% after ${columns[c]} candidates`} />
            ))}
          </div>
          <div className="heatmap-last num small-note">{(row.cells[row.cells.length - 1] * 100).toFixed(0)}%</div>
        </div>
      ))}
      <div className="muted small-note">
        Each cell: the probability the policy gives that value, along its most likely candidate (white 0% → blue 100%).
        {heatmap.hidden > 0 && ` ${heatmap.hidden} values that never reached 1% are not shown.`}
      </div>
    </div>
  );
}
