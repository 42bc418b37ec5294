/**
 * The editor's changes to the open document's graph and fields: React Flow's node and edge changes,
 * connecting, adding, renaming and deleting nodes, parameters, selection, layout, undo and redo.
 * Part of the editor slice (slice.ts); each change to the set itself is one undoable step.
 */
import { applyEdgeChanges, applyNodeChanges } from '@xyflow/react';
import { INPUT_ID, OUTPUT_ID } from '../../../../shared/action-set';
import { recordChange, redo, undo } from '../../lib/undo-history';
import type { Slice } from '../../store/slice';
import { defaultLayer } from './catalog';
import { currentDoc, docContent, type EditorDoc, type FlowNode } from './editor-doc';
import { layoutGraph } from './layout';
import type { EditorSlice } from './slice';
import { edgeId, layerNode, makeEdge, newNodeId } from './spec-graph';
import { nodeIdProblem } from './validation';

export type GraphEdits = Pick<
  EditorSlice,
  | 'setEditorMeta' | 'editorNodesChange' | 'editorEdgesChange' | 'editorConnect' | 'addLayer' | 'setParam' | 'renameNode'
  | 'deleteElements' | 'selectElement' | 'autoLayout' | 'editorUndo' | 'editorRedo' | 'layoutMeasured'
>;

const CHANGING = new Set(['position', 'remove', 'add', 'replace']);

export const createGraphEdits: Slice<GraphEdits> = (set, get) => {
  /** The open document, or null. */
  const current = (): EditorDoc | null => currentDoc(get());

  /**
   * Replaces the open document with `update(doc)`; `dirty` marks a change to the set itself, which
   * can be undone (changes of one `group` in a burst, such as a drag, are one step).
   */
  const edit = (update: (doc: EditorDoc) => EditorDoc, dirty = true, group?: string) => {
    const doc = current();
    if (!doc) return;
    const next = update(doc);
    if (next === doc) return;
    const marked = dirty ? { ...next, dirty: true, revision: doc.revision + 1, history: recordChange(doc.history, docContent(doc), Date.now(), group) } : next;
    set((s) => ({ editorDocs: { ...s.editorDocs, [doc.key]: marked }, ...(dirty ? { editorSavedAt: null } : {}) }));
  };

  /** Undo or redo on the open document: its content goes back (or forward) one step. */
  const travel = (step: typeof undo) => {
    const doc = current();
    const moved = doc && step(doc.history, docContent(doc));
    if (!doc || !moved) return;
    const next: EditorDoc = { ...doc, ...moved.state, history: moved.history, dirty: true, revision: doc.revision + 1 };
    set((s) => ({ editorDocs: { ...s.editorDocs, [doc.key]: next }, editorSavedAt: null }));
  };

  return {
    editorUndo: () => travel(undo),
    editorRedo: () => travel(redo),

    setEditorMeta: (patch) => {
      edit((doc) => ({ ...doc, ...patch }), true, `meta:${Object.keys(patch).join(',')}`);
      if (patch.name !== undefined) set({ editorSaveError: null });
    },

    editorNodesChange: (changes) => {
      const dirty = changes.some((c) => CHANGING.has(c.type) && !(c.type === 'position' && !c.position));
      const removed = new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
      edit((doc) => {
        const nodes = applyNodeChanges(
          changes.filter((c) => !(c.type === 'remove' && (c.id === INPUT_ID || c.id === OUTPUT_ID))),
          doc.nodes,
        );
        const edges = removed.size ? doc.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) : doc.edges;
        return { ...doc, nodes, edges };
      }, dirty, changes.every((c) => c.type === 'position') ? `move:${changes.map((c) => c.id).join(',')}` : undefined);
    },

    editorEdgesChange: (changes) => {
      const dirty = changes.some((c) => CHANGING.has(c.type));
      edit((doc) => ({ ...doc, edges: applyEdgeChanges(changes, doc.edges) }), dirty);
    },

    editorConnect: (from, to) => {
      if (from === OUTPUT_ID || to === INPUT_ID) return;
      edit((doc) => {
        if (doc.edges.some((e) => e.source === from && e.target === to)) return doc;
        return { ...doc, edges: [...doc.edges, makeEdge(from, to)] };
      });
    },

    addLayer: (type, position) => {
      const doc = current();
      if (!doc) return '';
      const id = newNodeId(type, doc.nodes.map((n) => n.id));
      const node: FlowNode = { ...layerNode(id, defaultLayer(type), position), selected: true };
      edit((d) => ({
        ...d,
        nodes: [...d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
        edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      }));
      return id;
    },

    setParam: (nodeId, param, value) => {
      edit((doc) => ({
        ...doc,
        nodes: doc.nodes.map((n) => {
          if (n.id !== nodeId || !n.data.layer) return n;
          const layer = { ...n.data.layer };
          if (value === undefined) delete layer[param];
          else layer[param] = value;
          return { ...n, data: { ...n.data, layer } };
        }),
      }), true, `param:${nodeId}:${param}`);
    },

    renameNode: (from, to) => {
      const doc = current();
      if (!doc) return 'no set is open';
      if (from === to) return null;
      const problem = nodeIdProblem(to, doc.nodes.filter((n) => n.id !== from).map((n) => n.id));
      if (problem) return problem;
      const rename = (id: string) => (id === from ? to : id);
      edit((d) => ({
        ...d,
        nodes: d.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
        edges: d.edges.map((e) =>
          e.source === from || e.target === from ? { ...e, id: edgeId(rename(e.source), rename(e.target)), source: rename(e.source), target: rename(e.target) } : e,
        ),
      }));
      return null;
    },

    deleteElements: (nodeIds, edgeIds) => {
      const nodes = new Set(nodeIds.filter((id) => id !== INPUT_ID && id !== OUTPUT_ID));
      const edges = new Set(edgeIds);
      if (!nodes.size && !edges.size) return;
      edit((doc) => ({
        ...doc,
        nodes: doc.nodes.filter((n) => !nodes.has(n.id)),
        edges: doc.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
      }));
    },

    selectElement: (id, kind = 'node') => {
      edit(
        (doc) => ({
          ...doc,
          nodes: doc.nodes.map((n) => {
            const selected = kind === 'node' && n.id === id;
            return n.selected === selected ? n : { ...n, selected };
          }),
          edges: doc.edges.map((e) => {
            const selected = kind === 'edge' && e.id === id;
            return e.selected === selected ? e : { ...e, selected };
          }),
        }),
        false,
      );
    },

    autoLayout: () => {
      edit((doc) => ({ ...doc, nodes: layoutGraph(doc.nodes, doc.edges), needsLayout: false }));
    },

    layoutMeasured: () => {
      edit((doc) => (doc.needsLayout ? { ...doc, nodes: layoutGraph(doc.nodes, doc.edges), needsLayout: false } : doc), false);
    },
  };
};
