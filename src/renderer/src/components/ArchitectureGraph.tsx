/**
 * A candidate network drawn as a read-only React Flow graph laid out by dagre.
 *  - `{layers: LayerSpec[]}` (trained networks): a chain Input → layers → classifier head, each
 *    layer labelled with describeLayer and, given `inputShape`, its output shape and parameters.
 *  - `{nb201: "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|"}` (NAS-Bench-201): the cell as a DAG of 4 nodes
 *    whose 6 edges carry the ops; 'none' edges (no connection) are drawn dashed and faint.
 * `activeLayer` (0-based body layer) is highlighted; `progress` (0–1) shows as a bar underneath.
 * Read at a glance: top to bottom by default, text of 12 px or more (the view is never zoomed out
 * below READABLE_ZOOM), and the canvas as tall as the laid-out graph, so nothing is clipped.
 */
import dagre from '@dagrejs/dagre';
import {
  BaseEdge,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type Edge,
  type EdgeProps,
  type EdgeTypes,
  type Node,
  type NodeProps,
  type NodeTypes,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo } from 'react';
import { parseArchitecture, type Architecture } from '../../../shared/architecture';
import { describeLayer } from '../../../shared/layers';
import { NB201_OP_LABELS, parseNb201Cell } from '../../../shared/nb201';
import { formatShape, inferShapes, type ShapeReport } from '../../../shared/shapes';
import { themeColor, useColorScheme } from '../lib/theme';
import './components.css';

export interface ArchitectureGraphProps {
  architecture: unknown;
  /** 0-based index of the body layer to highlight. */
  activeLayer?: number;
  /** 0–1: how far the candidate's training is (epochs done / epochs). */
  progress?: number;
  /** The canvas's least height; it grows to the graph's own. */
  height?: number;
  testId?: string;
  /** [H, W, C] of the input: with it, each layer shows its output shape and parameter count. */
  inputShape?: readonly [number, number, number];
  /** Classes of the classifier head; unknown (a folder dataset's history) draws the head without its size. */
  numClasses?: number;
  /** Layout direction (default TB: top to bottom). */
  direction?: 'LR' | 'TB';
}

type NodeKind = 'input' | 'layer' | 'head' | 'cell';
type LayerNodeData = { title: string; detail?: string; kind: NodeKind; active: boolean; direction: 'LR' | 'TB' };
type LayerNode = Node<LayerNodeData, 'layer'>;
type RoutedEdgeData = { points: Array<{ x: number; y: number }>; muted: boolean; labelX?: number; labelY?: number };
type RoutedEdge = Edge<RoutedEdgeData, 'routed'>;

interface GraphModel {
  nodes: LayerNode[];
  edges: RoutedEdge[];
  /** The laid-out graph's size at zoom 1. */
  size?: { width: number; height: number };
  error?: string;
  note?: string;
}

const NODE_W = 190;
const NODE_H = 50;
/** The smallest text is 13 px at zoom 1 (.arch-node-detail); below this zoom it would be under 12 px. */
const READABLE_ZOOM = 12 / 13;
/** Room around the graph inside the canvas (px). */
const PAD = 12;

function chainModel(architecture: Architecture, props: ArchitectureGraphProps, direction: 'LR' | 'TB'): GraphModel {
  let shapes: ShapeReport | undefined;
  let error: string | undefined;
  if (props.inputShape) {
    try {
      // Without the class count the body's shapes are still right; only the head's size is unknown.
      shapes = inferShapes(architecture, props.inputShape, props.numClasses ?? 1);
    } catch (e) {
      error = (e as Error).message;
    }
  }
  const params = (n: number) => `${n.toLocaleString('en')} params`;
  const items: Array<{ id: string; data: LayerNodeData }> = [];
  items.push({
    id: 'input',
    data: { kind: 'input', title: 'Input', detail: shapes ? formatShape(shapes.input) : undefined, active: false, direction },
  });
  architecture.layers.forEach((layer, i) => {
    const info = shapes?.layers[i];
    items.push({
      id: `layer-${i}`,
      data: {
        kind: 'layer',
        title: describeLayer(layer),
        detail: info ? `${formatShape(info.output)}${info.params ? ` · ${params(info.params)}` : ''}` : undefined,
        active: props.activeLayer === i,
        direction,
      },
    });
  });
  const classes = props.numClasses;
  const head = classes === undefined ? 'dense softmax, a unit per class' : `dense ${classes} softmax${shapes ? ` · ${params(shapes.headParams)}` : ''}`;
  items.push({
    id: 'head',
    data: {
      kind: 'head',
      title: 'classifier head',
      detail: head,
      active: false,
      direction,
    },
  });
  const edges = items.slice(1).map((item, i) => ({ from: items[i].id, to: item.id, label: undefined as string | undefined, muted: false }));
  const model = layout(items, edges, direction);
  return {
    ...model,
    error,
    note: !shapes ? undefined : classes === undefined ? `${(shapes.totalParams - shapes.headParams).toLocaleString('en')} parameters before the head` : `${shapes.totalParams.toLocaleString('en')} parameters in all`,
  };
}

function cellModel(arch: string, props: ArchitectureGraphProps, direction: 'LR' | 'TB'): GraphModel {
  const parsed = parseNb201Cell(arch);
  if ('error' in parsed) return { nodes: [], edges: [], error: parsed.error };
  const names = ['input', 'node 1', 'node 2', 'output'];
  const items = names.map((title, i) => ({
    id: `n${i}`,
    data: { kind: 'cell' as const, title, detail: i === 0 ? 'cell input' : i === 3 ? 'cell output (sum)' : 'sum of inputs', active: props.activeLayer === i, direction },
  }));
  const edges = parsed.map((e) => ({ from: `n${e.from}`, to: `n${e.to}`, label: NB201_OP_LABELS[e.op] ?? e.op, muted: e.op === 'none' }));
  return layout(items, edges, direction, 130);
}

function layout(
  items: Array<{ id: string; data: LayerNodeData }>,
  links: Array<{ from: string; to: string; label?: string; muted: boolean }>,
  direction: 'LR' | 'TB',
  nodeWidth = NODE_W,
): Pick<GraphModel, 'nodes' | 'edges' | 'size'> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: 28, ranksep: links.some((l) => l.label) ? 40 : 24, edgesep: 16, marginx: 4, marginy: 4 });
  g.setDefaultEdgeLabel(() => ({}));
  // As wide as its text (14 px titles, 13 px details), so that no label is cut.
  const widths = new Map(items.map((item) => [item.id, Math.max(nodeWidth, Math.ceil(Math.max(item.data.title.length * 8.4, (item.data.detail?.length ?? 0) * 7.6) + 22))]));
  for (const item of items) g.setNode(item.id, { width: widths.get(item.id)!, height: NODE_H });
  for (const link of links) {
    g.setEdge(link.from, link.to, link.label ? { width: link.label.length * 7.5 + 12, height: 20, labelpos: 'c' } : {});
  }
  dagre.layout(g);
  const nodes: LayerNode[] = items.map((item) => {
    const n = g.node(item.id) as { x: number; y: number; width: number };
    return {
      id: item.id,
      type: 'layer',
      position: { x: n.x - n.width / 2, y: n.y - NODE_H / 2 },
      data: item.data,
      style: { width: n.width, height: NODE_H },
      draggable: false,
      selectable: false,
      connectable: false,
    };
  });
  const edges: RoutedEdge[] = links.map((link, i) => {
    const e = g.edge(link.from, link.to) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number };
    return {
      id: `e${i}-${link.from}-${link.to}`,
      source: link.from,
      target: link.to,
      type: 'routed',
      label: link.label,
      data: { points: e.points ?? [], muted: link.muted, labelX: e.x, labelY: e.y },
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
      selectable: false,
      focusable: false,
    };
  });
  const { width = 0, height = 0 } = g.graph() as { width?: number; height?: number };
  return { nodes, edges, size: { width, height } };
}

function LayerNodeView({ data }: NodeProps<LayerNode>) {
  const [target, source] = data.direction === 'LR' ? [Position.Left, Position.Right] : [Position.Top, Position.Bottom];
  return (
    <div className={`arch-node arch-node-${data.kind}${data.active ? ' active' : ''}`} title={data.detail ? `${data.title}\n${data.detail}` : data.title}>
      <Handle type="target" position={target} isConnectable={false} className="arch-handle" />
      <div className="arch-node-title">{data.title}</div>
      {data.detail && <div className="arch-node-detail">{data.detail}</div>}
      <Handle type="source" position={source} isConnectable={false} className="arch-handle" />
    </div>
  );
}

/** A path through dagre's route: straight ends at the handles, smoothed corners in between. */
function routedPath(sx: number, sy: number, tx: number, ty: number, points: Array<{ x: number; y: number }>): string {
  const inner = points.slice(1, -1);
  const all = [{ x: sx, y: sy }, ...inner, { x: tx, y: ty }];
  if (all.length === 2) return `M ${sx},${sy} L ${tx},${ty}`;
  let d = `M ${all[0].x},${all[0].y}`;
  for (let i = 1; i < all.length - 1; i++) {
    const p = all[i];
    const next = all[i + 1];
    const mx = (p.x + next.x) / 2;
    const my = (p.y + next.y) / 2;
    d += ` Q ${p.x},${p.y} ${i === all.length - 2 ? `${next.x},${next.y}` : `${mx},${my}`}`;
  }
  return d;
}

function RoutedEdgeView(props: EdgeProps<RoutedEdge>) {
  const { sourceX, sourceY, targetX, targetY, data, label, markerEnd } = props;
  const path = routedPath(sourceX, sourceY, targetX, targetY, data?.points ?? []);
  const muted = data?.muted ?? false;
  return (
    <BaseEdge
      path={path}
      markerEnd={markerEnd}
      label={label}
      labelX={data?.labelX ?? (sourceX + targetX) / 2}
      labelY={data?.labelY ?? (sourceY + targetY) / 2}
      labelStyle={{ fontSize: 12, fill: muted ? 'var(--muted)' : 'var(--text)' }}
      labelBgStyle={{ fill: 'var(--panel)', fillOpacity: 0.92 }}
      labelBgPadding={[3, 2]}
      labelBgBorderRadius={3}
      style={{ stroke: muted ? 'var(--edge-muted)' : 'var(--edge)', strokeWidth: muted ? 1 : 1.5, strokeDasharray: muted ? '4 4' : undefined }}
    />
  );
}

/** Fit the width available, but never so small that text drops under 12 px (then the graph pans). */
const FIT = { padding: 0.04, maxZoom: 1, minZoom: READABLE_ZOOM };

/** Fits the view again when the layout changes (a new candidate), without re-mounting the flow. */
function FitOnLayoutChange({ layout }: { layout: string }) {
  const { fitView } = useReactFlow();
  const initialized = useNodesInitialized();
  useEffect(() => {
    if (initialized) void fitView(FIT);
  }, [layout, initialized, fitView]);
  return null;
}

const nodeTypes: NodeTypes = { layer: LayerNodeView };
const edgeTypes: EdgeTypes = { routed: RoutedEdgeView };

function buildModel(props: ArchitectureGraphProps): GraphModel {
  const direction = props.direction ?? 'TB';
  const arch = props.architecture;
  if (arch && typeof arch === 'object' && 'nb201' in arch && typeof (arch as { nb201: unknown }).nb201 === 'string') {
    return cellModel((arch as { nb201: string }).nb201, props, direction);
  }
  if (arch && typeof arch === 'object' && ('layers' in arch || Array.isArray(arch))) {
    try {
      return chainModel(parseArchitecture(arch), props, direction);
    } catch (e) {
      return { nodes: [], edges: [], error: (e as Error).message };
    }
  }
  return { nodes: [], edges: [], error: arch === undefined || arch === null ? undefined : 'not an architecture this view can draw' };
}

export function ArchitectureGraph(props: ArchitectureGraphProps) {
  const { architecture, activeLayer, progress, height = 120, testId, inputShape, numClasses, direction } = props;
  // Markers are SVG attributes, which take a colour, not a variable: the scheme's, read again when it changes.
  const scheme = useColorScheme();
  const arrow = useMemo(() => themeColor('--edge', '#6b7385'), [scheme]);
  const model = useMemo(
    () => buildModel({ architecture, activeLayer, inputShape, numClasses, direction }),
    // inputShape is compared by value: callers often pass a fresh array literal.
    [architecture, activeLayer, inputShape?.join('x'), numClasses, direction],
  );
  // A new structure re-mounts the flow; a new layout of the same nodes only fits the view again.
  const structureKey = model.nodes.map((n) => n.id).join(' ');
  const edgesColored = useMemo(() => model.edges.map((e) => ({ ...e, markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: arrow } })), [model, arrow]);
  const layoutKey = model.nodes.map((n) => `${Math.round(n.position.x)},${Math.round(n.position.y)}`).join(' ');
  const pct = progress === undefined ? undefined : Math.round(Math.min(1, Math.max(0, progress)) * 100);
  return (
    <div className="arch-graph" data-testid={testId}>
      <div className="arch-graph-canvas" style={{ height: Math.max(height, Math.ceil((model.size?.height ?? 0) + 2 * PAD)) }}>
        {model.nodes.length > 0 ? (
          <ReactFlow
            key={structureKey}
            nodes={model.nodes}
            edges={edgesColored}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            fitView
            fitViewOptions={FIT}
            minZoom={READABLE_ZOOM}
            maxZoom={2}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            zoomOnScroll={false}
            preventScrolling={false}
            zoomOnDoubleClick={false}
            panOnDrag
            proOptions={{ hideAttribution: true }}
          >
            <FitOnLayoutChange layout={layoutKey} />
          </ReactFlow>
        ) : (
          <div className="arch-graph-empty">{model.error ?? 'no candidate'}</div>
        )}
      </div>
      {(model.note || (model.error && model.nodes.length > 0)) && (
        <div className={model.error && model.nodes.length > 0 ? 'arch-graph-note error' : 'arch-graph-note'}>
          {model.nodes.length > 0 && model.error ? model.error : model.note}
        </div>
      )}
      {pct !== undefined && (
        <div className="arch-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid={testId ? `${testId}-progress` : undefined}>
          <div className="arch-progress-fill" style={{ width: `${pct}%` }} />
          <span className="arch-progress-text">{pct}%</span>
        </div>
      )}
    </div>
  );
}
