/**
 * The action-set editor's pure logic, free of React and the DOM so that it runs under plain Node
 * (test/renderer/editor-model.test.ts): the layer catalog as the inspector sees it, parameter
 * values ↔ text, action set JSON ↔ canvas nodes and edges (with an automatic layout for sets that
 * carry no positions), and live validation (network count and the problems list).
 *
 * The canvas types here are structural subsets of React Flow's Node and Edge, so the slice can
 * store React Flow's own objects and hand them to these functions.
 */
import { DATASET_INPUTS, type DatasetName } from '../../../../shared/run-config';
import dagre from '@dagrejs/dagre';
import { z } from 'zod';
import { ActionGrammar, INPUT_ID, OUTPUT_ID, parseActionSet, type ActionSet } from '../../../../shared/action-set';
import { LAYER_TYPES, LayerSpecSchema, type LayerType } from '../../../../shared/layers';
import { formatShape, inferLayer, type TensorShape } from '../../../../shared/shapes';

// ---------------------------------------------------------------------------------------------
// Layer catalog

export type ParamScalar = string | number | boolean;
/** One value, or a list of allowed values (each one a separate choice for the agent). */
export type ParamValue = ParamScalar | ParamScalar[];
/** A node's layer as the action set stores it: the type and each parameter's value(s). */
export interface LayerDraft {
  type: string;
  [param: string]: ParamValue;
}

export interface ParamInfo {
  name: string;
  kind: 'int' | 'number' | 'enum';
  options?: readonly string[];
  min?: number;
  max?: number;
  /** The value used when the parameter is left out. */
  default?: ParamScalar;
  /** Must be given (no default). */
  required: boolean;
  /** What leaving it out means, when it has no plain default (pool stride = pool size). */
  omittedMeans?: string;
}

export type LayerCategory = 'conv' | 'pool' | 'dense' | 'regularize' | 'activation';

export interface LayerInfo {
  type: LayerType;
  label: string;
  category: LayerCategory;
  params: ParamInfo[];
}

const LAYER_TEXT: Record<LayerType, { label: string; category: LayerCategory }> = {
  conv2d: { label: '2-D convolution', category: 'conv' },
  depthwiseConv2d: { label: 'Depthwise convolution', category: 'conv' },
  separableConv2d: { label: 'Separable convolution', category: 'conv' },
  maxPool: { label: 'Max pooling', category: 'pool' },
  avgPool: { label: 'Average pooling', category: 'pool' },
  globalAvgPool: { label: 'Global average pooling', category: 'pool' },
  dense: { label: 'Fully connected', category: 'dense' },
  flatten: { label: 'Flatten to a vector', category: 'dense' },
  dropout: { label: 'Dropout', category: 'regularize' },
  batchNorm: { label: 'Batch normalization', category: 'regularize' },
  activation: { label: 'Activation function', category: 'activation' },
};

/** What a new node of each type starts with, for parameters that have no default. */
const INITIAL_VALUES: Record<string, ParamScalar> = { filters: 32, units: 128, rate: 0.2, activation: 'relu' };

function describeParam(name: string, schema: z.ZodType): ParamInfo {
  let inner: z.ZodType = schema;
  let required = true;
  let defaultValue: ParamScalar | undefined;
  if (inner instanceof z.ZodDefault) {
    required = false;
    defaultValue = inner.def.defaultValue as ParamScalar;
    inner = inner.def.innerType as z.ZodType;
  }
  if (inner instanceof z.ZodOptional) {
    required = false;
    inner = inner.def.innerType as z.ZodType;
  }
  const info: ParamInfo = { name, kind: 'number', required };
  if (defaultValue !== undefined) info.default = defaultValue;
  if (inner instanceof z.ZodEnum) {
    info.kind = 'enum';
    info.options = inner.options.map(String);
  } else if (inner instanceof z.ZodNumber) {
    info.kind = inner.isInt ? 'int' : 'number';
    if (inner.minValue !== null && Number.isFinite(inner.minValue)) info.min = inner.minValue;
    if (inner.maxValue !== null && Number.isFinite(inner.maxValue)) info.max = inner.maxValue;
  }
  if (!required && defaultValue === undefined && name === 'stride') info.omittedMeans = 'the pool size';
  return info;
}

/** Every layer type of the catalog, in catalog order, with its parameters. */
export const LAYER_CATALOG: readonly LayerInfo[] = LayerSpecSchema.options.map((option) => {
  const type = option.shape.type.value as LayerType;
  const params = Object.entries(option.shape)
    .filter(([name]) => name !== 'type')
    .map(([name, schema]) => describeParam(name, schema as z.ZodType));
  return { type, ...LAYER_TEXT[type], params };
});

const CATALOG_BY_TYPE = new Map<string, LayerInfo>(LAYER_CATALOG.map((info) => [info.type, info]));

export function layerInfo(type: string): LayerInfo | undefined {
  return CATALOG_BY_TYPE.get(type);
}

export function isLayerType(type: string): type is LayerType {
  return (LAYER_TYPES as readonly string[]).includes(type);
}

/** "integer 1–2048", "0–0.95", "same | valid". */
export function paramRange(info: ParamInfo): string {
  if (info.kind === 'enum') return (info.options ?? []).join(' | ');
  const kind = info.kind === 'int' ? 'integer ' : '';
  return info.min !== undefined && info.max !== undefined ? `${kind}${info.min}–${info.max}` : kind.trim() || 'number';
}

/** The range plus the default: "integer 1–11, default 3". */
export function paramHint(info: ParamInfo): string {
  const range = paramRange(info);
  if (info.required) return `${range}, required`;
  if (info.default !== undefined) return `${range}, default ${info.default}`;
  return info.omittedMeans ? `${range}, default ${info.omittedMeans}` : range;
}

/** A new layer of `type`: required parameters get a sensible single value, the rest their defaults. */
export function defaultLayer(type: LayerType): LayerDraft {
  const layer: LayerDraft = { type };
  for (const param of layerInfo(type)?.params ?? []) {
    if (param.required) layer[param.name] = INITIAL_VALUES[param.name] ?? param.min ?? param.options?.[0] ?? 1;
  }
  return layer;
}

// ---------------------------------------------------------------------------------------------
// Parameter values ↔ text

export function valuesOf(value: ParamValue | undefined): ParamScalar[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** "16, 32, 64" for [16, 32, 64]; "" when left out. */
export function formatValues(value: ParamValue | undefined): string {
  return valuesOf(value).map(String).join(', ');
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * A comma- (or space-) separated list as the user typed it: numbers become numbers, true/false
 * booleans, anything else stays text (validation then says what is wrong with it). Duplicates are
 * dropped; nothing left means "left out" (undefined); one value is stored as a plain value.
 */
export function parseValuesText(text: string): ParamValue | undefined {
  const values: ParamScalar[] = [];
  for (const token of text.split(/[,;\s]+/)) {
    if (!token) continue;
    let value: ParamScalar = token;
    if (NUMBER.test(token)) value = Number(token);
    else if (token === 'true' || token === 'false') value = token === 'true';
    if (!values.some((v) => v === value)) values.push(value);
  }
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}

/** Adds or removes one value of a list parameter (the inspector's chips). */
export function toggleValue(value: ParamValue | undefined, item: ParamScalar): ParamValue | undefined {
  const values = valuesOf(value);
  const next = values.includes(item) ? values.filter((v) => v !== item) : [...values, item];
  if (next.length === 0) return undefined;
  return next.length === 1 ? next[0] : next;
}

/** How many concrete layers a node expands to (the product of its list lengths). */
export function choiceCount(layer: LayerDraft): number {
  let count = 1;
  for (const [key, value] of Object.entries(layer)) if (key !== 'type') count *= Math.max(1, valuesOf(value).length);
  return count;
}

/** Same values in the same order (the inspector's text ↔ value sync). */
export function sameValue(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  const va = valuesOf(a);
  const vb = valuesOf(b);
  return va.length === vb.length && va.every((v, i) => v === vb[i]);
}

// ---------------------------------------------------------------------------------------------
// Action set JSON ↔ canvas

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

export const NODE_WIDTH = 210;

export function edgeId(from: string, to: string): string {
  return `${from}->${to}`;
}

export function makeEdge(from: string, to: string): EditorEdge {
  return { id: edgeId(from, to), source: from, target: to, type: 'may' };
}

export function layerNode(id: string, layer: LayerDraft, position: XY): EditorNode {
  return { id, type: 'layer', position, data: { layer } };
}

function ioNode(kind: 'input' | 'output', position: XY): EditorNode {
  return { id: kind === 'input' ? INPUT_ID : OUTPUT_ID, type: `io-${kind}`, position, data: { layer: null }, deletable: false };
}

/** A node's likely height before React Flow has measured it (header + one row a parameter). */
export function estimatedHeight(node: { type?: string; data: EditorNodeData }): number {
  if (node.type !== 'layer' || !node.data.layer) return 52;
  return 62 + 19 * (layerInfo(node.data.layer.type)?.params.length ?? Object.keys(node.data.layer).length - 1);
}

const sizeOf = (node: NodeLike) => ({
  width: node.measured?.width ?? NODE_WIDTH,
  height: node.measured?.height ?? estimatedHeight(node),
});

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
    y += (input ? sizeOf(input).height : 52) + gapY;
    for (let row = 0; row * perRow < body.length; row++) {
      const items = body.slice(row * perRow, (row + 1) * perRow);
      const width = items.length * NODE_WIDTH + (items.length - 1) * gapX;
      const offset = (rowWidth - width) / 2;
      items.forEach((n, i) => positions.set(n.id, { x: offset + i * (NODE_WIDTH + gapX), y }));
      y += Math.max(...items.map((n) => sizeOf(n).height)) + gapY;
    }
    positions.set(OUTPUT_ID, { x: rowWidth / 2 - NODE_WIDTH / 2, y });
    return nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position }));
  }
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: gapX, ranksep: gapY, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, sizeOf(node));
  for (const edge of edges) if (g.hasNode(edge.source) && g.hasNode(edge.target) && edge.source !== edge.target) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  return nodes.map((n) => {
    const laid = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    return laid ? { ...n, position: { x: Math.round(laid.x - laid.width / 2), y: Math.round(laid.y - laid.height / 2) } } : n;
  });
}

/** Canvas nodes and edges for an action set; saved positions are kept, a set without them is laid out. */
export function specToGraph(spec: EditorSpec): EditorGraph {
  const edges = spec.edges.map((e) => makeEdge(e.from, e.to));
  const body = spec.nodes.map((n) => layerNode(n.id, n.layer, n.position ?? { x: 0, y: 0 }));
  const positioned = spec.nodes.length > 0 && spec.nodes.every((n) => n.position);
  if (!positioned) {
    const nodes = layoutGraph([ioNode('input', { x: 0, y: 0 }), ...body, ioNode('output', { x: 0, y: 0 })], edges);
    return { nodes, edges, estimated: body.length > 0 };
  }
  // Input and Output have no saved place: above and below the layers, centred.
  const left = Math.min(...body.map((n) => n.position.x));
  const right = Math.max(...body.map((n) => n.position.x + NODE_WIDTH));
  const top = Math.min(...body.map((n) => n.position.y));
  const bottom = Math.max(...body.map((n) => n.position.y + estimatedHeight(n)));
  const x = Math.round((left + right) / 2 - NODE_WIDTH / 2);
  return { nodes: [ioNode('input', { x, y: top - 130 }), ...body, ioNode('output', { x, y: bottom + 80 })], edges, estimated: false };
}

/** The action set JSON of what the canvas shows (positions rounded; Input and Output are implicit). */
export function graphToSpec(
  meta: { name: string; description?: string; maxLayers: number },
  nodes: readonly NodeLike[],
  edges: readonly EdgeLike[],
  options: { positions?: boolean } = {},
): EditorSpec {
  const spec: EditorSpec = { name: meta.name, maxLayers: meta.maxLayers, nodes: [], edges: [] };
  if (meta.description?.trim()) spec.description = meta.description;
  for (const node of nodes) {
    if (node.id === INPUT_ID || node.id === OUTPUT_ID || !node.data.layer) continue;
    const entry: EditorSpec['nodes'][number] = { id: node.id, layer: node.data.layer };
    if (options.positions !== false) entry.position = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
    spec.nodes.push(entry);
  }
  spec.edges = edges.map((e) => ({ from: e.source, to: e.target }));
  return spec;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

function toParamValue(value: unknown): ParamValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v)));
  return JSON.stringify(value);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An action set from a file (or a stored row's spec), kept as written as far as the editor can show
 * it: problems in it are reported by validation, not refused here. Throws ImportError only when
 * the JSON is not an action set at all. Accepts `{ spec: … }` (a stored row) too.
 */
export function importSpec(json: unknown, fallbackName = 'imported'): EditorSpec {
  const source = isRecord(json) && isRecord(json.spec) && !('nodes' in json) ? json.spec : json;
  if (!isRecord(source)) throw new ImportError('not an action set: the file holds no JSON object');
  if (!Array.isArray(source.nodes)) throw new ImportError('not an action set: it has no "nodes" list');
  const nodes = source.nodes.map((raw, i): EditorSpec['nodes'][number] => {
    const node = isRecord(raw) ? raw : {};
    const rawLayer = isRecord(node.layer) ? node.layer : {};
    const layer: LayerDraft = { type: typeof rawLayer.type === 'string' ? rawLayer.type : '?' };
    for (const [key, value] of Object.entries(rawLayer)) if (key !== 'type') layer[key] = toParamValue(value);
    const entry: EditorSpec['nodes'][number] = { id: typeof node.id === 'string' ? node.id : `node${i + 1}`, layer };
    const p = node.position;
    if (isRecord(p) && typeof p.x === 'number' && typeof p.y === 'number') entry.position = { x: p.x, y: p.y };
    return entry;
  });
  const edges = (Array.isArray(source.edges) ? source.edges : []).flatMap((raw) =>
    isRecord(raw) && typeof raw.from === 'string' && typeof raw.to === 'string' ? [{ from: raw.from, to: raw.to }] : [],
  );
  const spec: EditorSpec = {
    name: typeof source.name === 'string' && source.name.trim() ? source.name : fallbackName,
    maxLayers: typeof source.maxLayers === 'number' ? source.maxLayers : 5,
    nodes,
    edges,
  };
  if (typeof source.description === 'string') spec.description = source.description;
  return spec;
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

/** "conv2d", "conv2d2", … : the first id of that stem not in use. */
export function newNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(type) && type !== INPUT_ID && type !== OUTPUT_ID) return type;
  for (let i = 2; ; i++) if (!used.has(`${type}${i}`)) return `${type}${i}`;
}

/** "untitled", "untitled 2", … : the first name not in use. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base} ${i}`)) return `${base} ${i}`;
}

/** Why a node id cannot be used, or null when it can. */
export function nodeIdProblem(id: string, otherIds: Iterable<string>): string | null {
  if (!id.trim()) return 'the id must not be empty';
  if (id !== id.trim()) return 'the id must not start or end with a space';
  if (id === INPUT_ID || id === OUTPUT_ID) return `"${INPUT_ID}" and "${OUTPUT_ID}" are reserved`;
  for (const other of otherIds) if (other === id) return `another node is already called "${id}"`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Validation

export const DATASET_SHAPES = Object.entries(DATASET_INPUTS).map(([id, d]) => ({
  id: id as DatasetName,
  label: `${d.label} ${d.inputShape.join('×')}`,
  shape: d.inputShape,
}));
export type DatasetShapeId = DatasetName;

export function datasetShape(id: DatasetShapeId): readonly [number, number, number] {
  return (DATASET_SHAPES.find((d) => d.id === id) ?? DATASET_SHAPES[0]).shape;
}

export type ProblemKind = 'param' | 'node' | 'set' | 'graph' | 'unreachable' | 'dead-end' | 'unused' | 'no-network';

export interface Problem {
  severity: 'error' | 'warning';
  kind: ProblemKind;
  message: string;
  /** The node it is about, when it is about one. */
  nodeId?: string;
  /** The parameter it is about (kind "param"). */
  param?: string;
  /** The set-level field it is about. */
  field?: 'name' | 'maxLayers' | 'nodes' | 'edges';
}

export interface Validation {
  /** Distinct networks the set allows for the input shape; null when the set does not parse. */
  count: number | null;
  /** Concrete layer choices (after expanding lists); null when the set does not parse. */
  choices: number | null;
  /** Whether parseActionSet accepts the set (saving would succeed as far as the set goes). */
  parses: boolean;
  problems: Problem[];
  /** Problems about each node, by node id. */
  byNode: Record<string, Problem[]>;
}

/** The problems of one node's layer: unknown type or parameter, values out of range, missing values. */
export function layerProblems(nodeId: string, layer: LayerDraft): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const add = (message: string, param?: string) => {
    const key = `${param ?? ''}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ severity: 'error', kind: param ? 'param' : 'node', message, nodeId, ...(param ? { param } : {}) });
  };
  const info = layerInfo(layer.type);
  if (!info) {
    add(`unknown layer type "${layer.type}": use one of the palette's types`);
    return problems;
  }
  const known = new Set(info.params.map((p) => p.name));
  const params = Object.entries(layer).filter(([key]) => key !== 'type');
  for (const [key, value] of params) {
    if (!known.has(key)) add(`unknown parameter "${key}" for ${layer.type} (it has ${[...known].join(', ') || 'none'})`, key);
    else if (Array.isArray(value) && value.length === 0) add(`${key}: give at least one value`, key);
  }
  for (const param of info.params) if (param.required && valuesOf(layer[param.name]).length === 0) add(`${param.name} is required (${paramRange(param)})`, param.name);
  // Each value of each parameter, with the other parameters at their first (valid-looking) value.
  const base: Record<string, unknown> = { type: layer.type };
  for (const [key, value] of params) if (known.has(key) && valuesOf(value).length) base[key] = valuesOf(value)[0];
  for (const param of info.params) if (param.required && base[param.name] === undefined) base[param.name] = defaultLayer(info.type)[param.name];
  for (const [key, value] of params) {
    if (!known.has(key)) continue;
    for (const v of valuesOf(value)) {
      const result = LayerSpecSchema.safeParse({ ...base, [key]: v });
      if (result.success) continue;
      for (const issue of result.error.issues) {
        if (issue.path[0] === key) add(`${key} ${JSON.stringify(v)}: ${issue.message}`, key);
      }
    }
  }
  return problems;
}

function shapeKey(shape: TensorShape): string {
  return shape.kind === 'spatial' ? `${shape.h}x${shape.w}x${shape.c}` : `${shape.units}`;
}

/**
 * The nodes that appear in at least one valid network, found by walking the grammar's masks from
 * the input (one walk per node and shape, at its smallest depth); null when that takes more than
 * `budget` steps (the set is too large to tell quickly).
 */
export function usedNodes(grammar: ActionGrammar, budget = 4000): Set<string> | null {
  const used = new Set<string>();
  const seen = new Set<string>([`${INPUT_ID}|${shapeKey(grammar.start)}`]);
  const queue: Array<{ prefix: number[]; shape: TensorShape }> = [{ prefix: [], shape: grammar.start }];
  for (let head = 0; head < queue.length; head++) {
    if (head >= budget) return null;
    const { prefix, shape } = queue[head];
    const mask = grammar.mask(prefix);
    for (let action = 1; action < mask.length; action++) {
      if (!mask[action]) continue;
      const choice = grammar.choices[action - 1];
      used.add(choice.nodeId);
      const next = inferLayer(shape, choice.layer);
      if ('error' in next) continue;
      const key = `${choice.nodeId}|${shapeKey(next.output)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ prefix: [...prefix, action], shape: next.output });
    }
  }
  return used;
}

/** Node ids reachable from `start` following edges forward (or backward). */
function reach(start: string, edges: readonly { from: string; to: string }[], backward = false): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = backward ? [e.to, e.from] : [e.from, e.to];
    next.set(a, [...(next.get(a) ?? []), b]);
  }
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length) {
    for (const n of next.get(stack.pop() as string) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}

/**
 * Everything wrong with the set for networks on `inputShape`, and how many networks it allows.
 * Errors stop a save or make the set useless; warnings point at parts that can never be used.
 */
export function validateSpec(spec: EditorSpec, inputShape: readonly [number, number, number]): Validation {
  const problems: Problem[] = [];
  const ids = spec.nodes.map((n) => n.id);

  // The set's own fields.
  if (!spec.name.trim()) problems.push({ severity: 'error', kind: 'set', field: 'name', message: 'the set needs a name' });
  const maxLayers = z.int().min(1).max(20).safeParse(spec.maxLayers);
  if (!maxLayers.success) problems.push({ severity: 'error', kind: 'set', field: 'maxLayers', message: `max layers: ${maxLayers.error.issues[0].message.replace(/^Invalid input: /, '')} (1–20)` });
  if (spec.nodes.length === 0) problems.push({ severity: 'error', kind: 'set', field: 'nodes', message: 'add at least one layer: drag one from the palette onto the canvas' });

  // Each node: its id, its layer.
  spec.nodes.forEach((node, i) => {
    const problem = nodeIdProblem(node.id, ids.slice(0, i));
    if (problem) problems.push({ severity: 'error', kind: 'node', nodeId: node.id, message: `node id: ${problem}` });
    problems.push(...layerProblems(node.id, node.layer));
  });

  // Edges.
  const known = new Set([INPUT_ID, OUTPUT_ID, ...ids]);
  for (const e of spec.edges) {
    if (!known.has(e.from) || !known.has(e.to)) problems.push({ severity: 'error', kind: 'graph', field: 'edges', message: `edge ${e.from} → ${e.to} names a node that does not exist` });
    else if (e.from === OUTPUT_ID || e.to === INPUT_ID) problems.push({ severity: 'error', kind: 'graph', field: 'edges', message: `edge ${e.from} → ${e.to} runs backwards` });
  }

  // The graph: with edges, layers must be reachable from Input and lead on to Output.
  const flagged = new Set<string>();
  if (spec.edges.length > 0) {
    const fromInput = reach(INPUT_ID, spec.edges);
    const toOutput = reach(OUTPUT_ID, spec.edges, true);
    if (!fromInput.has(OUTPUT_ID)) {
      problems.push({ severity: 'error', kind: 'graph', field: 'edges', message: 'no path from Input to Output: connect a chain of layers from Input down to Output' });
    }
    for (const id of ids) {
      if (!fromInput.has(id)) {
        flagged.add(id);
        problems.push({ severity: 'warning', kind: 'unreachable', nodeId: id, message: 'unreachable: no edges lead here from Input' });
      } else if (!toOutput.has(id)) {
        flagged.add(id);
        problems.push({ severity: 'warning', kind: 'dead-end', nodeId: id, message: 'dead end: no edges lead from here to Output' });
      }
    }
  }

  // What the engine says: parse, count, and whether any network fits the input.
  let set: ActionSet | null = null;
  try {
    set = parseActionSet(spec);
  } catch (error) {
    if (!problems.some((p) => p.severity === 'error')) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({ severity: 'error', kind: 'set', message });
    }
  }
  let count: number | null = null;
  let choices: number | null = null;
  if (set) {
    try {
      const grammar = new ActionGrammar(set, inputShape);
      choices = grammar.choices.length;
      count = grammar.countNetworks();
      const shapeText = formatShape(grammar.start);
      if (!grammar.allowsAnyNetwork()) {
        const pathKnownMissing = problems.some((p) => p.kind === 'graph' && p.field === 'edges');
        problems.push({
          severity: 'error',
          kind: 'no-network',
          message: `allows no network for a ${shapeText} input within ${set.maxLayers} layers${
            pathKnownMissing ? '' : ': every way from Input to Output is too long or has a layer whose input shape does not fit'
          }`,
        });
      } else {
        const used = usedNodes(grammar);
        if (used) {
          for (const id of ids) {
            if (used.has(id) || flagged.has(id)) continue;
            problems.push({ severity: 'warning', kind: 'unused', nodeId: id, message: `never used for a ${shapeText} input: no valid network within ${set.maxLayers} layers contains it (its input shape never fits)` });
          }
        }
      }
    } catch (error) {
      problems.push({ severity: 'error', kind: 'set', message: error instanceof Error ? error.message : String(error) });
    }
  }

  const byNode: Record<string, Problem[]> = {};
  for (const p of problems) if (p.nodeId !== undefined) (byNode[p.nodeId] ??= []).push(p);
  return { count, choices, parses: set !== null, problems, byNode };
}

/** "1 network", "12,345 networks", "≈ 1.2 × 10¹² networks", "more than 9.0 × 10¹⁵ networks". */
export function formatCount(count: number | null): string {
  if (count === null) return '— networks';
  const noun = count === 1 ? 'network' : 'networks';
  if (!Number.isFinite(count)) return `more than ${scientific(Number.MAX_SAFE_INTEGER)} ${noun}`;
  if (count < 1e9) return `${count.toLocaleString('en-US')} ${noun}`;
  return `≈ ${scientific(count)} ${noun}`;
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

function scientific(n: number): string {
  const exponent = Math.floor(Math.log10(n));
  const mantissa = n / 10 ** exponent;
  const digits = String(exponent)
    .split('')
    .map((d) => SUPERSCRIPT[Number(d)])
    .join('');
  return `${mantissa.toFixed(1)} × 10${digits}`;
}
