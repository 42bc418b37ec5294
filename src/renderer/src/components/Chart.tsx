/**
 * A line (or point) chart over uPlot, which stays smooth with tens of thousands of points. The plot
 * is created once per series layout and then updated in place with setData when the data changes;
 * it follows its container's width.
 *
 * Data may be append-only arrays mutated in place (the live view does this to stay cheap): a change
 * is detected by array identity or length, so appending to the same array and re-rendering redraws.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartSeries } from './chart-series';
import './components.css';

export type { ChartSeries } from './chart-series';

export interface ChartProps {
  title: string;
  x: number[];
  series: ChartSeries[];
  xLabel?: string;
  height?: number;
  testId?: string;
}

export const CHART_COLORS = ['#2f6fed', '#d64545', '#1b9e5a', '#c98a00', '#8a4fd3', '#0f9bb0', '#e0709a', '#6b7385'];

/** What the data looked like when last drawn: identities and lengths of every array. */
function signature(x: number[], series: ChartSeries[]): Array<unknown> {
  const parts: unknown[] = [x, x.length];
  for (const s of series) parts.push(s.values, s.values.length);
  return parts;
}

function sameSignature(a: Array<unknown> | null, b: Array<unknown>): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function toData(x: number[], series: ChartSeries[]): uPlot.AlignedData {
  return [x, ...series.map((s) => s.values)];
}

const noPath: uPlot.Series.PathBuilder = () => null;

/** Whether x holds whole numbers only (epochs, candidate indices): then ticks fall on whole numbers. */
function integerX(x: ArrayLike<number>): boolean {
  const n = x.length;
  const step = Math.max(1, Math.floor(n / 64));
  for (let i = 0; i < n; i += step) if (!Number.isInteger(x[i])) return false;
  return n === 0 || Number.isInteger(x[n - 1]);
}
const wholeTicks: uPlot.Axis.Filter = (u, splits) => (integerX(u.data[0]) ? splits.map((v) => (Number.isInteger(v) ? v : null)) : splits);

export function Chart({ title, x, series, xLabel, height = 200, testId }: ChartProps) {
  const plotHostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const drawnRef = useRef<Array<unknown> | null>(null);
  // The latest props, for the effect that (re)creates the plot without depending on the data.
  const latest = useRef({ x, series });
  latest.current = { x, series };

  // The plot's layout: a change here re-creates it; a change of data does not.
  const layoutKey = JSON.stringify([xLabel ?? '', height, series.map((s) => [s.label, s.color ?? '', !!s.points])]);

  useLayoutEffect(() => {
    const host = plotHostRef.current;
    if (!host) return;
    const { x: xs, series: ss } = latest.current;
    const options: uPlot.Options = {
      width: Math.max(120, host.clientWidth),
      height,
      scales: { x: { time: false } },
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { label: xLabel, labelSize: xLabel ? 18 : 0, size: 34, stroke: '#6b7385', grid: { stroke: '#eceff3' }, ticks: { stroke: '#eceff3' }, filter: wholeTicks },
        { size: 48, stroke: '#6b7385', grid: { stroke: '#eceff3' }, ticks: { stroke: '#eceff3' } },
      ],
      series: [
        { label: xLabel ?? 'x' },
        ...ss.map((s, i): uPlot.Series => {
          const color = s.color ?? CHART_COLORS[i % CHART_COLORS.length];
          return s.points
            ? { label: s.label, stroke: color, width: 0, paths: noPath, points: { show: true, size: 5, stroke: color, fill: color } }
            : { label: s.label, stroke: color, width: 1.5, spanGaps: true, points: { show: (_u, _si, i0, i1) => i1 - i0 < 40 } };
        }),
      ],
    };
    const plot = new uPlot(options, toData(xs, ss), host);
    plotRef.current = plot;
    drawnRef.current = signature(xs, ss);
    return () => {
      plot.destroy();
      plotRef.current = null;
      drawnRef.current = null;
    };
    // layoutKey stands for the layout props (xLabel, height, series labels and styles).
  }, [layoutKey]);

  // New data: update in place.
  useEffect(() => {
    const plot = plotRef.current;
    if (!plot) return;
    const next = signature(x, series);
    if (sameSignature(drawnRef.current, next)) return;
    drawnRef.current = next;
    plot.setData(toData(x, series));
  });

  // Follow the container's width.
  useEffect(() => {
    const host = plotHostRef.current;
    if (!host || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      const plot = plotRef.current;
      const width = Math.max(120, Math.floor(host.clientWidth));
      if (plot && plot.width !== width) plot.setSize({ width, height });
    });
    observer.observe(host);
    return () => observer.disconnect();
  }, [height]);

  return (
    <div className="chart" data-testid={testId}>
      <div className="chart-title">{title}</div>
      <div className="chart-plot" ref={plotHostRef} />
      {x.length === 0 && <div className="chart-empty">no data yet</div>}
    </div>
  );
}
