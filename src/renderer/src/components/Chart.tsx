/**
 * A line (or point) chart over uPlot, which stays smooth with tens of thousands of points. The plot
 * is created once per series layout and then updated in place with setData when the data changes;
 * it follows its container's width.
 *
 * Data may be append-only arrays mutated in place (the live view does this to stay cheap): a change
 * is detected by array identity or length, so appending to the same array and re-rendering redraws.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { smooth, type ChartSeries } from './chart-series';
import { useColorScheme, themeColor } from '../lib/theme';
import './components.css';

export type { ChartSeries } from './chart-series';

export interface ChartProps {
  title: string;
  x: number[];
  series: ChartSeries[];
  xLabel?: string;
  /** The y axis's title (with its unit). */
  yLabel?: string;
  /** A logarithmic x axis (parameter counts, seconds). */
  xLog?: boolean;
  /** The y values are fractions shown as percentages. */
  yPercent?: boolean;
  /** Shade between two series (0-based indices into `series`): an interval's upper and lower bounds. */
  band?: { upper: number; lower: number; color: string };
  /** Called with the data index of the point nearest a click (within a few pixels). */
  onPick?: (dataIndex: number) => void;
  /** Offer a smoothing slider (an exponential moving average, as TensorBoard's): noisy per-candidate values. */
  smoothing?: boolean;
  /** Offer a log-scale y axis (losses). */
  logToggle?: boolean;
  height?: number;
  testId?: string;
  /** Other x axes the reader may choose instead of `x` (e.g. wall-clock time instead of epochs), each titled with its unit. */
  xAlternatives?: ReadonlyArray<{ label: string; values: number[] }>;
  /** A fixed x range (charts stacked on one time axis line up). */
  xRange?: readonly [number, number];
  /** Always a logarithmic y axis (a learning rate): its ticks as powers of ten. */
  yLogScale?: boolean;
  /** The y ticks and legend values in exponent notation (small rates: 1e-4, 2.5e-5). */
  yExponent?: boolean;
  /** The y axis's width in pixels: charts stacked on one x axis give the same, so their x positions line up. */
  yAxisWidth?: number;
  /** The y values are indices into these names (an optimizer): the axis and legend show the names. */
  yCategories?: readonly string[];
  /** Vertical lines across the plot at these x values (events on the time axis, e.g. interventions). */
  xMarks?: { values: readonly number[]; color?: string; label?: string };
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
const steps = uPlot.paths.stepped!({ align: 1 });

/** Whether x holds whole numbers only (epochs, candidate indices): then ticks fall on whole numbers. */
function integerX(x: ArrayLike<number>): boolean {
  const n = x.length;
  const step = Math.max(1, Math.floor(n / 64));
  for (let i = 0; i < n; i += step) if (!Number.isInteger(x[i])) return false;
  return n === 0 || Number.isInteger(x[n - 1]);
}
const wholeTicks: uPlot.Axis.Filter = (u, splits) => (integerX(u.data[0]) ? splits.map((v) => (Number.isInteger(v) ? v : null)) : splits);

/** How near (CSS pixels) a click must be to a point to pick it. */
const PICK_RADIUS = 12;

/** The data index of the drawn point nearest to (left, top) in the plot, within PICK_RADIUS. */
function nearestPoint(u: uPlot, left: number, top: number): number | null {
  let best: number | null = null;
  let bestDistance = PICK_RADIUS ** 2;
  const xs = u.data[0];
  for (let s = 1; s < u.data.length; s++) {
    if (!u.series[s].show) continue;
    const ys = u.data[s];
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i];
      if (y === null || y === undefined) continue;
      const dx = u.valToPos(xs[i], 'x') - left;
      const dy = u.valToPos(y, 'y') - top;
      if (dx * dx + dy * dy <= bestDistance) {
        bestDistance = dx * dx + dy * dy;
        best = i;
      }
    }
  }
  return best;
}

/** 0, or a number in exponent notation with at most two significant digits: 1e-3, 2.5e-5. */
const exponent = (v: number) => (v === 0 ? '0' : Number(v.toPrecision(2)).toExponential().replace('e+', 'e'));
const exponentTicks: uPlot.Axis['values'] = (_u, splits) => splits.map((v) => (v === null ? '' : exponent(v)));

const percentTicks: uPlot.Axis['values'] = (_u, splits) => splits.map((v) => (v === null ? '' : `${Number((v * 100).toFixed(2))}%`));

/** An axis with its title (if any) in the charts' colours. */
const axis = (label: string | undefined, size: number): uPlot.Axis => ({
  label,
  labelSize: label ? 18 : 0,
  size,
  stroke: themeColor('--muted', '#6b7385'),
  grid: { stroke: themeColor('--grid', '#eceff3') },
  ticks: { stroke: themeColor('--grid', '#eceff3') },
});

/** A single x value still gets a range: the point sits in the middle of the plot. */
const padSingle: uPlot.Range.Function = (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]);

/** The lighter shade of a colour, for raw values behind their smoothed line. */
const faded = (color: string) => `${color}55`;

export function Chart(props: ChartProps) {
  const { series, smoothing, logToggle } = props;
  const [weight, setWeight] = useState(0);
  const [yLogChosen, setYLog] = useState(false);
  const yLog = yLogChosen || !!props.yLogScale;
  const [xChoice, setXChoice] = useState(0);
  const xAxes = useMemo(() => [{ label: props.xLabel ?? 'x', values: props.x }, ...(props.xAlternatives ?? [])], [props.x, props.xLabel, props.xAlternatives]);
  const xAxis = xAxes[xChoice] ?? xAxes[0];
  // With smoothing on, each series becomes its smoothed line, with the raw values as faint points.
  const shown = useMemo(() => {
    if (weight <= 0) return series;
    const smoothed = series.map((s, i) => ({ ...s, values: smooth(s.values, weight), points: false, markers: false, color: s.color ?? CHART_COLORS[i % CHART_COLORS.length] }));
    const raw = smoothed.map((s, i) => ({ label: `${s.label} (raw)`, values: series[i].values, color: faded(s.color), points: true, pointSize: 3 }));
    return [...smoothed, ...raw];
  }, [series, weight]);
  const controls =
    smoothing || (logToggle && !props.yLogScale) || xAxes.length > 1 ? (
      <div className="chart-controls">
        {xAxes.length > 1 && (
          <label>
            x{' '}
            <select value={xChoice} onChange={(e) => setXChoice(Number(e.target.value))} data-testid={props.testId ? `${props.testId}-x` : undefined}>
              {xAxes.map((a, i) => (
                <option key={a.label} value={i}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
        )}
        {smoothing && (
          <label title="exponential moving average: the weight of the past">
            smoothing{' '}
            <input type="range" min={0} max={0.95} step={0.05} value={weight} onChange={(e) => setWeight(Number(e.target.value))} data-testid={props.testId ? `${props.testId}-smoothing` : undefined} />{' '}
            <span className="chart-control-value">{weight.toFixed(2)}</span>
          </label>
        )}
        {logToggle && !props.yLogScale && (
          <label>
            <input type="checkbox" checked={yLogChosen} onChange={(e) => setYLog(e.target.checked)} data-testid={props.testId ? `${props.testId}-log` : undefined} /> log scale
          </label>
        )}
      </div>
    ) : null;
  return <Plot {...props} x={xAxis.values} xLabel={xAxis.label} series={shown} yLog={yLog} controls={controls} />;
}

function Plot({
  title,
  x,
  series,
  xLabel,
  yLabel,
  xLog,
  yLog,
  yPercent,
  band,
  onPick,
  height = 200,
  testId,
  controls,
  xRange,
  yCategories,
  xMarks,
  yExponent,
  yLogScale,
  yAxisWidth,
}: ChartProps & { yLog: boolean; controls: React.ReactNode }) {
  const plotHostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const drawnRef = useRef<Array<unknown> | null>(null);
  // The latest props, for the effect that (re)creates the plot without depending on the data.
  const latest = useRef({ x, series, onPick, xMarks });
  latest.current = { x, series, onPick, xMarks };
  // Axes and grid take the scheme's colours: a change of scheme draws the plot again.
  const scheme = useColorScheme();

  // The plot's layout: a change here re-creates it; a change of data does not.
  const layoutKey = JSON.stringify([
    scheme,
    xLabel ?? '',
    yLabel ?? '',
    !!xLog,
    yLog,
    !!yPercent,
    !!onPick,
    band ?? null,
    height,
    xRange ?? null,
    yCategories ?? null,
    !!yExponent,
    !!yLogScale,
    yAxisWidth ?? null,
    xMarks?.color ?? null,
    series.map((s) => [s.label, s.color ?? '', !!s.points, s.pointSize ?? 0, !!s.markers, s.dash ?? null, !!s.stepped]),
  ]);

  useLayoutEffect(() => {
    const host = plotHostRef.current;
    if (!host) return;
    const { x: xs, series: ss } = latest.current;
    const options: uPlot.Options = {
      width: Math.max(120, host.clientWidth),
      height,
      scales: {
        x: xLog ? { time: false, distr: 3 } : { time: false, range: xRange ? () => [xRange[0], xRange[1]] : padSingle },
        ...(yLog ? { y: { distr: 3 } } : yCategories ? { y: { range: () => [-0.5, yCategories.length - 0.5] } } : {}),
      },
      legend: { show: true, live: true },
      cursor: { drag: { x: !onPick, y: false } },
      axes: [
        { ...axis(xLabel, 34), ...(xLog ? {} : { filter: wholeTicks }) },
        {
          ...axis(yLabel, yAxisWidth ?? (yCategories ? 92 : yExponent || yLogScale ? 60 : 52)),
          ...(yPercent ? { values: percentTicks } : {}),
          ...(yExponent || yLogScale ? { values: exponentTicks } : {}),
          ...(yCategories ? { splits: () => yCategories.map((_, i) => i), values: (_u: uPlot, splits: number[]) => splits.map((v) => yCategories[v] ?? '') } : {}),
        },
      ],
      series: [
        { label: xLabel ?? 'x' },
        ...ss.map((s, i): uPlot.Series => {
          const color = s.color ?? CHART_COLORS[i % CHART_COLORS.length];
          const value = yPercent
            ? (_u: uPlot, v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}%`)
            : yCategories
              ? (_u: uPlot, v: number | null) => (v === null ? '–' : (yCategories[v] ?? String(v)))
              : yExponent || yLogScale
                ? (_u: uPlot, v: number | null) => (v === null ? '–' : exponent(v))
                : undefined;
          const size = s.pointSize ?? 5;
          if (s.points) return { label: s.label, stroke: color, width: 0, paths: noPath, value, points: { show: true, size, stroke: color, fill: color } };
          return {
            label: s.label,
            stroke: color,
            width: 1.5,
            dash: s.dash,
            spanGaps: true,
            ...(s.stepped ? { paths: steps } : {}),
            value,
            points: s.markers ? { show: true, size, stroke: color, fill: color } : { show: (_u, _si, i0, i1) => i1 - i0 < 40 },
          };
        }),
      ],
      ...(band ? { bands: [{ series: [band.upper + 1, band.lower + 1], fill: band.color }] } : {}),
      hooks: { draw: [(u) => drawMarks(u, latest.current.xMarks)] },
    };
    const plot = new uPlot(options, toData(xs, ss), host);
    plotRef.current = plot;
    const onClick = () => {
      const pick = latest.current.onPick;
      const { left, top } = plot.cursor;
      if (!pick || left === undefined || top === undefined || left < 0) return;
      const index = nearestPoint(plot, left, top);
      if (index !== null) pick(index);
    };
    plot.over.addEventListener('click', onClick);
    drawnRef.current = [...signature(xs, ss), latest.current.xMarks?.values, latest.current.xMarks?.values.length];
    return () => {
      plot.over.removeEventListener('click', onClick);
      plot.destroy();
      plotRef.current = null;
      drawnRef.current = null;
    };
    // layoutKey stands for the layout props (axes, band, height, series labels and styles); onPick is read through `latest`.
  }, [layoutKey]);

  // New data: update in place.
  useEffect(() => {
    const plot = plotRef.current;
    if (!plot) return;
    const next = [...signature(x, series), xMarks?.values, xMarks?.values.length];
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
    <div className="chart" data-testid={testId} data-marks={xMarks?.values.length}>
      <div className="chart-head">
        <div className="chart-title">{title}</div>
        {controls}
      </div>
      <div className="chart-plot" ref={plotHostRef} />
      {x.length === 0 && <div className="chart-empty">no data yet</div>}
    </div>
  );
}

/** Dashed vertical lines at the marks' x values, over the plotting area. */
function drawMarks(u: uPlot, marks: ChartProps['xMarks']): void {
  if (!marks || marks.values.length === 0) return;
  const { ctx, bbox } = u;
  ctx.save();
  ctx.strokeStyle = marks.color ?? themeColor('--warn', '#c98a00');
  ctx.lineWidth = Math.max(1, devicePixelRatio);
  ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
  for (const value of marks.values) {
    const px = Math.round(u.valToPos(value, 'x', true));
    if (px < bbox.left || px > bbox.left + bbox.width) continue;
    ctx.beginPath();
    ctx.moveTo(px, bbox.top);
    ctx.lineTo(px, bbox.top + bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}
