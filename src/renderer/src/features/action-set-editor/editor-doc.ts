/**
 * One action set open in the editor (a document): the canvas state as React Flow holds it, plus what
 * the editor tracks about it (stored or new, changed since saved), and its conversion to and from
 * the action set JSON.
 */
import type { Edge, Node } from '@xyflow/react';
import type { ActionSetRow } from '../../../../shared/history';
import { emptyHistory, type UndoHistory } from '../../lib/undo-history';
import { specFromSet } from './import-spec';
import { graphToSpec, specToGraph } from './spec-graph';
import type { EditorNodeData, EditorSpec } from './types';

export type FlowNode = Node<EditorNodeData>;
export type FlowEdge = Edge;

/** One action set open in the editor. */
export interface EditorDoc {
  /** "set:<id>" for a stored set, "new:<n>" for one not saved yet. */
  key: string;
  /** Identifies the canvas across a save that changes `key` (the view stays where it was). */
  viewKey: string;
  id: number | null;
  builtin: boolean;
  name: string;
  description: string;
  maxLayers: number;
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Changed since it was loaded or saved. */
  dirty: boolean;
  /** Bumped by every change (a save in flight knows whether it saved the latest). */
  revision: number;
  /** The stored row's updatedAt this document was loaded from. */
  updatedAt: number | null;
  /** Laid out from estimated sizes: the canvas lays it out again once it has measured the nodes. */
  needsLayout: boolean;
  /** The document's earlier (and undone) contents, for undo and redo. */
  history: UndoHistory<DocContent>;
}

/** What undo and redo bring back: the set itself, not where the view is or what is selected. */
export type DocContent = Pick<EditorDoc, 'name' | 'description' | 'maxLayers' | 'nodes' | 'edges'>;

export function docContent(doc: EditorDoc): DocContent {
  const { name, description, maxLayers, nodes, edges } = doc;
  return { name, description, maxLayers, nodes, edges };
}

let draftCounter = 0;
let viewCounter = 0;

/** The key of a stored set's document. */
export const setKey = (id: number) => `set:${id}`;
/** The key of a new document, not saved yet. */
export const newDraftKey = () => `new:${++draftCounter}`;
/** A fresh canvas identity for a document (a copy must not share its original's view). */
export const newViewKey = (key: string) => `${key}#${++viewCounter}`;

export function docFromSpec(spec: EditorSpec, meta: Pick<EditorDoc, 'key' | 'id' | 'builtin' | 'updatedAt'>): EditorDoc {
  const graph = specToGraph(spec);
  return {
    ...meta,
    viewKey: newViewKey(meta.key),
    name: spec.name,
    description: spec.description ?? '',
    maxLayers: spec.maxLayers,
    nodes: graph.nodes,
    edges: graph.edges,
    needsLayout: graph.estimated,
    dirty: false,
    revision: 0,
    history: emptyHistory(),
  };
}

export function docFromRow(row: ActionSetRow): EditorDoc {
  return docFromSpec({ ...specFromSet(row.spec), name: row.name }, { key: setKey(row.id), id: row.id, builtin: row.builtin, updatedAt: row.updatedAt });
}

/** The action set JSON a document stands for. */
export function docToSpec(doc: EditorDoc, options: { positions?: boolean } = {}): EditorSpec {
  return graphToSpec(doc, doc.nodes, doc.edges, options);
}

/** The document shown in the editor, or null. */
export function currentDoc(state: { editorKey: string | null; editorDocs: Record<string, EditorDoc> }): EditorDoc | null {
  const { editorKey, editorDocs } = state;
  return editorKey ? (editorDocs[editorKey] ?? null) : null;
}
