/**
 * Parallel coordinates over a run's candidates (see ./parallel): an axis per slot, then parameters
 * and accuracy; each candidate a line, coloured by its accuracy. Drag along an axis to brush it:
 * only the candidates inside every brush stay coloured, and the candidates table lists only them.
 * A click on an axis without dragging removes its brush. Drawn in SVG: uPlot has no such chart.
 */
import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { useAppPick } from '../../store';
import { axisPosition, describeBrush, type Axis } from './parallel';

const HEIGHT = 320;
const TOP = 40;
const BOTTOM = 28;
const SIDE = 70;
/** A drag shorter than this (in axis positions) is a click: it clears the axis's brush. */
const CLICK = 0.02;

function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(800);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth || 800);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth || 800));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** Low accuracy orange, high accuracy blue. */
function accuracyColor(p: number | null): string {
  if (p === null) return '#9aa4b5';
  const mix = (a: number, b: number) => Math.round(a + (b - a) * p);
  return `rgb(${mix(230, 47)}, ${mix(140, 111)}, ${mix(40, 237)})`;
}

export function ParallelCoordinates() {
  const { analysisParallel: data, brushes, brushedIndices: kept, setBrush, clearBrushes } = useAppPick(
    'analysisParallel', 'brushes', 'brushedIndices', 'setBrush', 'clearBrushes',
  );
  const hostRef = useRef<HTMLDivElement>(null);
  const width = useWidth(hostRef);
  const [dragging, setDragging] = useState<{ key: string; from: number; to: number } | null>(null);

  const plotHeight = HEIGHT - TOP - BOTTOM;
  const axes = data?.axes ?? [];
  const axisX = (i: number) => (axes.length <= 1 ? width / 2 : SIDE + (i * (width - 2 * SIDE)) / (axes.length - 1));
  const y = (p: number) => TOP + (1 - p) * plotHeight;
  const accuracyAxis = axes.findIndex((a) => a.key === 'signal');

  const lines = useMemo(() => {
    if (!data) return { inside: [] as Array<{ index: number; d: string; color: string }>, outside: [] as Array<{ index: number; d: string }> };
    const keptSet = kept ? new Set(kept) : null;
    const inside: Array<{ index: number; d: string; color: string }> = [];
    const outside: Array<{ index: number; d: string }> = [];
    for (const row of data.rows) {
      let d = '';
      let pen = 'M';
      row.positions.forEach((p, i) => {
        if (p === null) {
          pen = 'M';
          return;
        }
        d += `${pen}${axisX(i).toFixed(1)},${y(p).toFixed(1)}`;
        pen = 'L';
      });
      if (!keptSet || keptSet.has(row.index)) inside.push({ index: row.index, d, color: accuracyColor(accuracyAxis >= 0 ? row.positions[accuracyAxis] : null) });
      else outside.push({ index: row.index, d });
    }
    return { inside, outside };
    // axisX and y depend on width and the axes, both covered.
  }, [data, kept, width, accuracyAxis]);

  if (!data || data.rows.length === 0) return <div className="muted empty-note">No finished candidates yet.</div>;

  const positionAt = (event: PointerEvent<SVGElement>) => {
    const box = (event.currentTarget.ownerSVGElement ?? (event.currentTarget as SVGSVGElement)).getBoundingClientRect();
    return Math.min(1, Math.max(0, 1 - (event.clientY - box.top - TOP) / plotHeight));
  };
  const start = (key: string) => (event: PointerEvent<SVGRectElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    const p = positionAt(event);
    setDragging({ key, from: p, to: p });
  };
  const move = (event: PointerEvent<SVGRectElement>) => {
    if (dragging) setDragging({ ...dragging, to: positionAt(event) });
  };
  const end = () => {
    if (!dragging) return;
    setBrush(dragging.key, Math.abs(dragging.to - dragging.from) < CLICK ? null : [Math.min(dragging.from, dragging.to), Math.max(dragging.from, dragging.to)]);
    setDragging(null);
  };

  const shownBrush = (axis: Axis) => (dragging?.key === axis.key ? ([dragging.from, dragging.to] as const) : brushes[axis.key]);
  const brushed = Object.entries(brushes).flatMap(([key, range]) => {
    const axis = axes.find((a) => a.key === key);
    return axis ? [{ key, text: describeBrush(axis, range) }] : [];
  });

  return (
    <div className="parallel" ref={hostRef} data-testid="parallel-view">
      <svg width={width} height={HEIGHT} className="parallel-svg" data-testid="parallel-svg" role="img" aria-label="parallel coordinates of the candidates">
        <g className="parallel-lines-out">
          {lines.outside.map((l) => (
            <path key={l.index} d={l.d} />
          ))}
        </g>
        <g className="parallel-lines-in">
          {lines.inside.map((l) => (
            <path key={l.index} d={l.d} stroke={l.color} data-index={l.index} />
          ))}
        </g>
        {axes.map((axis, i) => {
          const x = axisX(i);
          const brush = shownBrush(axis);
          return (
            <g key={axis.key} className="parallel-axis" data-testid={`parallel-axis-${axis.key}`}>
              <line x1={x} x2={x} y1={TOP} y2={TOP + plotHeight} />
              <text x={x} y={TOP - 22} textAnchor="middle" className="parallel-axis-label">
                {axis.label}
              </text>
              {axis.kind === 'category' ? (
                axis.categories.map((category) => (
                  <text key={category} x={x + 5} y={y(axisPosition(axis, category)!) + 4} className="parallel-tick">
                    {category}
                  </text>
                ))
              ) : (
                <>
                  <text x={x + 5} y={TOP + plotHeight + 4} className="parallel-tick">
                    {axis.format(axis.min)}
                  </text>
                  <text x={x + 5} y={TOP + 4} className="parallel-tick">
                    {axis.format(axis.max)}
                  </text>
                  {axis.log && (
                    <text x={x} y={TOP - 8} textAnchor="middle" className="parallel-tick">
                      log scale
                    </text>
                  )}
                </>
              )}
              {brush && <rect className="parallel-brush" x={x - 9} width={18} y={y(Math.max(brush[0], brush[1]))} height={Math.max(2, Math.abs(brush[1] - brush[0]) * plotHeight)} />}
              <rect
                className="parallel-hit"
                x={x - 14}
                width={28}
                y={TOP - 4}
                height={plotHeight + 8}
                onPointerDown={start(axis.key)}
                onPointerMove={move}
                onPointerUp={end}
                onPointerCancel={() => setDragging(null)}
                data-testid={`parallel-hit-${axis.key}`}
              />
            </g>
          );
        })}
      </svg>
      <div className="analysis-controls">
        <span data-testid="parallel-kept" data-kept={kept ? kept.length : data.rows.length}>
          {kept ? `${kept.length} of ${data.rows.length} candidates inside the brushes` : `${data.rows.length} candidates · drag along an axis to brush it`}
        </span>
        {brushed.map((b) => (
          <span key={b.key} className="chip" data-testid="parallel-brush-chip">
            {b.text}
            <button className="icon-button" title="Remove this brush" onClick={() => setBrush(b.key, null)}>
              ✕
            </button>
          </span>
        ))}
        {brushed.length > 0 && (
          <button className="link-button" onClick={clearBrushes} data-testid="parallel-clear">
            clear brushes
          </button>
        )}
      </div>
    </div>
  );
}
