/** Validation accuracy against parameters (or training time): every candidate, the non-dominated ones highlighted and selectable. */
import { useMemo, useState } from 'react';
import type { RunDetail } from '../../../../shared/history';
import { Chart } from '../../components/Chart';
import { formatNumber, formatParams, formatPercent } from '../../lib/format';
import { useAppPick } from '../../store';
import { paretoFront, paretoPoints, type CostAxis } from './pareto';

const AXES: Record<CostAxis, { label: string; unit: string; word: string }> = {
  params: { label: 'parameters (log scale)', unit: 'parameters', word: 'fewer parameters' },
  seconds: { label: 'training time, s (log scale)', unit: 'seconds', word: 'less training time' },
};

export function ParetoView({ run }: { run: RunDetail }) {
  const { analysisCandidates: candidates, selectedCandidate: selected, selectCandidate } = useAppPick(
    'analysisCandidates', 'selectedCandidate', 'selectCandidate',
  );
  const [axis, setAxis] = useState<CostAxis>('params');
  const timed = run.evaluator === 'training';

  const model = useMemo(() => {
    const points = paretoPoints(candidates, axis).sort((a, b) => a.x - b.x || a.index - b.index);
    const onFront = new Set(paretoFront(points));
    const byIndex = new Map(candidates.map((c) => [c.index, c]));
    return {
      points,
      front: points.filter((p) => onFront.has(p.index)).map((p) => byIndex.get(p.index)!),
      x: points.map((p) => p.x),
      series: [
        { label: 'candidates', values: points.map((p) => (onFront.has(p.index) ? null : p.y)), color: '#9aa4b5', points: true },
        { label: 'Pareto front', values: points.map((p) => (onFront.has(p.index) ? p.y : null)), color: '#d64545', markers: true, pointSize: 8 },
        { label: 'selected', values: points.map((p) => (p.index === selected ? p.y : null)), color: '#2f6fed', points: true, pointSize: 13 },
      ],
    };
  }, [candidates, axis, selected]);

  return (
    <div className="pareto" data-testid="pareto-view" data-axis={axis}>
      <div className="analysis-controls">
        <label>
          Cost:{' '}
          <select value={axis} onChange={(e) => setAxis(e.target.value as CostAxis)} data-testid="pareto-axis">
            <option value="params">parameters</option>
            <option value="seconds" disabled={!timed} title={timed ? undefined : 'NAS-Bench-201 lookups take no training time'}>
              training time
            </option>
          </select>
        </label>
        <span className="muted small-note" data-testid="pareto-summary" data-front={model.front.length} data-points={model.points.length}>
          {model.front.length} of {model.points.length} architectures are on the front: none other is as accurate with {AXES[axis].word}. Click a point to see it.
        </span>
      </div>
      <Chart
        title={`Validation accuracy against ${AXES[axis].unit}`}
        x={model.x}
        series={model.series}
        xLabel={AXES[axis].label}
        yLabel="validation accuracy"
        xLog
        yPercent
        height={280}
        testId="chart-pareto"
        onPick={(i) => void selectCandidate(model.points[i].index)}
      />
      <table className="analysis-table" data-testid="pareto-front">
        <thead>
          <tr>
            <th className="num">#</th>
            <th className="num">Val</th>
            <th className="num">Params</th>
            <th className="num">Seconds</th>
            <th>Architecture</th>
          </tr>
        </thead>
        <tbody>
          {model.front.map((c) => (
            <tr key={c.index} className={c.index === selected ? 'selected' : undefined} onClick={() => void selectCandidate(c.index)} data-testid="pareto-front-row" data-index={c.index}>
              <td className="num">{c.index}</td>
              <td className="num">{formatPercent(c.signal)}</td>
              <td className="num">{formatParams(c.params)}</td>
              <td className="num">{formatNumber(c.seconds, 1)}</td>
              <td className="mono label-cell" title={c.label}>
                {c.label}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
