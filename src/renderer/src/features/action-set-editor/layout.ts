/**
 * Where nodes go on the canvas: a dagre layout along the edges (rows between Input and Output for a
 * set without edges), node sizes before React Flow has measured them, and a free spot for a new node.
 */
import dagre from '@dagrejs/dagre';
import { INPUT_ID, OUTPUT_ID } from '../../../../shared/action-set';
import { layerInfo } from './catalog';
import type { EditorNodeData, EdgeLike, NodeLike, XY } from './types';

export const NODE_WIDTH = 230;

/** A node's likely height before React Flow has measured it (header + one row a parameter). */
export function estimatedHeight(node: { type?: string; data: EditorNodeData }): number {
  if (node.type !== 'layer' || !node.data.layer) return 52;
  return 66 + 20 * (layerInfo(node.data.layer.type)?.params.length ?? Object.keys(node.data.layer).length - 1);
}

/** A node's size: as React Flow measured it, or as estimated until then. */
export function nodeSize(node: Pick<NodeLike, 'type' | 'data' | 'measured'>): { width: number; height: number } {
  return { width: node.measured?.width ?? NODE_WIDTH, height: node.measured?.height ?? estimatedHeight(node) };
}

/**
 * Positions for every node: a top-to-bottom dagre layout along the edges; with no edges (any
 * order) the layers sit in rows of three between Input and Output.
 */
export function layoutGraph<N extends NodeLike>(nodes: readonly N[], edges: readonly EdgeLike[]): N[] {
  const body = nodes.filter((n) => n.id !== INPUT_ID && n.id !== OUTPUT_ID);
  const gapX = 40;
  const gapY = 70;
  if (body.length === 0) {
    // An empty set: Input and Output far enough apart for the first layers to land between them.
    return nodes.map((n) => ({ ...n, position: { x: 0, y: n.id === INPUT_ID ? 0 : 420 } }));
  }
  if (edges.length === 0) {
    const perRow = Math.min(3, Math.max(1, body.length));
    const rowWidth = perRow * NODE_WIDTH + (perRow - 1) * gapX;
    const positions = new Map<string, XY>();
    let y = 0;
    const input = nodes.find((n) => n.id === INPUT_ID);
    positions.set(INPUT_ID, { x: rowWidth / 2 - NODE_WIDTH / 2, y });
    y += (input ? nodeSize(input).height : 52) + gapY;
    for (let row = 0; row * perRow < body.length; row++) {
      const items = body.slice(row * perRow, (row + 1) * perRow);
      const width = items.length * NODE_WIDTH + (items.length - 1) * gapX;
      const offset = (rowWidth - width) / 2;
      items.forEach((n, i) => positions.set(n.id, { x: offset + i * (NODE_WIDTH + gapX), y }));
      y += Math.max(...items.map((n) => nodeSize(n).height)) + gapY;
    }
    positions.set(OUTPUT_ID, { x: rowWidth / 2 - NODE_WIDTH / 2, y });
    return nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position }));
  }
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: gapX, ranksep: gapY, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, nodeSize(node));
  for (const edge of edges) if (g.hasNode(edge.source) && g.hasNode(edge.target) && edge.source !== edge.target) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  return nodes.map((n) => {
    const laid = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    return laid ? { ...n, position: { x: Math.round(laid.x - laid.width / 2), y: Math.round(laid.y - laid.height / 2) } } : n;
  });
}

/**
 * Where a new node of the usual size may go near `want` without covering a node: `want` itself when
 * free, else the nearest free cell of a grid around it.
 */
export function freeSpot(want: XY, boxes: ReadonlyArray<{ x: number; y: number; w: number; h: number }>, size = { w: NODE_WIDTH, h: 150 }): XY {
  const gap = 24;
  const free = (p: XY) => boxes.every((b) => p.x + size.w + gap <= b.x || b.x + b.w + gap <= p.x || p.y + size.h + gap <= b.y || b.y + b.h + gap <= p.y);
  const stepX = size.w + gap * 2;
  const stepY = size.h + gap * 2;
  for (let ring = 0; ring <= 8; ring++) {
    const cells: XY[] = [];
    for (let dy = -ring; dy <= ring; dy++) {
      for (let dx = -ring; dx <= ring; dx++) if (Math.max(Math.abs(dx), Math.abs(dy)) === ring) cells.push({ x: dx, y: dy });
    }
    cells.sort((a, b) => Math.hypot(a.x * stepX, a.y * stepY) - Math.hypot(b.x * stepX, b.y * stepY));
    for (const c of cells) {
      const p = { x: Math.round(want.x + c.x * stepX), y: Math.round(want.y + c.y * stepY) };
      if (free(p)) return p;
    }
  }
  return { x: Math.round(want.x), y: Math.round(want.y) };
}
