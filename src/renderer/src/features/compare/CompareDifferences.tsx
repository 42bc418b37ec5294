/**
 * What sets the compared runs apart (see ./differences): a warning when their accuracies do not
 * compare, the runs that differ only in seed aggregated into one best-so-far curve with its 95%
 * interval, and the config fields that differ, side by side.
 */
import { useMemo } from 'react';
import type { RunDetail, RunSeries } from '../../../../shared/history';
import { Chart } from '../../components/Chart';
import { runDisplayName } from '../../lib/runs';
import { aggregateBestSoFar, compareWarnings, configDifferences, seedGroups } from './differences';
import { runColor } from './model';

export function CompareDifferences({ ids, runs, series }: { ids: string[]; runs: Record<string, RunDetail | null>; series: RunSeries[] }) {
  const loaded = useMemo(() => ids.map((id) => runs[id]).filter((r): r is RunDetail => !!r), [ids, runs]);
  const warnings = useMemo(() => compareWarnings(loaded), [loaded]);
  const groups = useMemo(() => seedGroups(loaded), [loaded]);
  const differences = useMemo(() => configDifferences(loaded.map((r) => r.config)), [loaded]);
  if (loaded.length < 2) return null;

  return (
    <>
      {warnings.map((warning) => (
        <div key={warning} className="budget-warning" role="alert" data-testid="compare-warning">
          {warning}
        </div>
      ))}
      {groups.map((group) => (
        <SeedGroup key={group.join()} group={group} runs={runs} series={series} />
      ))}
      <details className="panel compare-config-diff" open data-testid="compare-config-diff" data-rows={differences.length}>
        <summary>
          <strong>Config differences</strong> <span className="muted small-note">({differences.length === 0 ? 'the configs are identical' : `${differences.length} fields differ`})</span>
        </summary>
        {differences.length > 0 && (
          <table className="diff-table">
            <thead>
              <tr>
                <th>field</th>
                {loaded.map((run) => (
                  <th key={run.id}>
                    <span className="swatch" style={{ background: runColor(ids.indexOf(run.id)) }} /> {runDisplayName(run)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {differences.map((row) => (
                <tr key={row.path} data-testid="config-diff-row" data-path={row.path}>
                  <td className="mono">{row.path}</td>
                  {row.values.map((value, i) => (
                    <td key={loaded[i].id} className="mono">
                      {value}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </>
  );
}

function SeedGroup({ group, runs, series }: { group: string[]; runs: Record<string, RunDetail | null>; series: RunSeries[] }) {
  const chart = useMemo(() => {
    const curve = aggregateBestSoFar(group.map((id) => series.find((s) => s.runId === id) ?? { runId: id, series: [] }));
    // An accuracy lies in [0, 1]: an interval of few runs may reach past it, and is drawn cut there.
    const clip = (values: Array<number | null>) => values.map((v) => (v === null ? null : Math.min(1, Math.max(0, v))));
    return {
      x: curve.x,
      series: [
        { label: 'mean best-so-far', values: curve.mean, color: '#2f6fed' },
        { label: '95% interval, upper', values: clip(curve.high), color: '#8fb0f5', dash: [4, 4] },
        { label: '95% interval, lower', values: clip(curve.low), color: '#8fb0f5', dash: [4, 4] },
      ],
    };
  }, [group, series]);
  const names = group.map((id) => (runs[id] ? `${runDisplayName(runs[id])} (seed ${runs[id].config.seed})` : id)).join(', ');
  return (
    <div className="panel" data-testid="compare-seed-group" data-runs={group.length}>
      <div className="small-note">
        <strong>{group.length} runs differ only in seed</strong>: {names}
      </div>
      <Chart
        title={`Best validation accuracy so far, mean over ${group.length} seeds with its 95% t interval`}
        x={chart.x}
        series={chart.series}
        xLabel="candidate"
        yLabel="validation accuracy"
        yPercent
        band={{ upper: 1, lower: 2, color: 'rgba(47, 111, 237, 0.12)' }}
        height={220}
        testId="chart-compare-seeds"
      />
    </div>
  );
}
