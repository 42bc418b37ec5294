/**
 * The editor's shapes of an action set: the set as it is edited (possibly invalid) and the canvas
 * nodes and edges that draw it. The canvas types are structural subsets of React Flow's Node and
 * Edge, so the slice can store React Flow's own objects and hand them to the pure functions.
 */
import type { LayerDraft } from './values';

export interface XY {
  x: number;
  y: number;
}

/** Node types on the canvas (not React Flow's built-in "input"/"output", whose styles would apply). */
export type EditorNodeKind = 'layer' | 'io-input' | 'io-output';

/** A canvas node's data: the layer for body nodes, null for Input and Output. */
export interface EditorNodeData {
  layer: LayerDraft | null;
  [key: string]: unknown;
}

/** What the editor needs of a canvas node (React Flow's Node satisfies it). */
export interface NodeLike {
  id: string;
  type?: string;
  position: XY;
  data: EditorNodeData;
  measured?: { width?: number; height?: number };
}

/** What the editor needs of a canvas edge (React Flow's Edge satisfies it). */
export interface EdgeLike {
  id: string;
  source: string;
  target: string;
}

export interface EditorNode extends NodeLike {
  type: EditorNodeKind;
  deletable?: boolean;
}

export interface EditorEdge extends EdgeLike {
  type: 'may';
}

/** An action set as the editor holds it: possibly invalid (that is what validation reports). */
export interface EditorSpec {
  name: string;
  description?: string;
  maxLayers: number;
  nodes: Array<{ id: string; layer: LayerDraft; position?: XY }>;
  edges: Array<{ from: string; to: string }>;
}

export interface EditorGraph {
  nodes: EditorNode[];
  edges: EditorEdge[];
  /** The positions were laid out from estimated node sizes: lay out again once the nodes are measured. */
  estimated: boolean;
}
