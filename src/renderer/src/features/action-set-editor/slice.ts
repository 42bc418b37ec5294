/**
 * The action-set editor's state: the saved sets, the documents open for editing (one a set, kept
 * while the app runs so switching sets loses nothing), which one is shown, the input shape used for
 * validation and the last validation. A document (editor-doc.ts) holds React Flow's own nodes and
 * edges. Here: the sets' lifecycle (load, open, new, import, save, delete); the edits to the open
 * document's graph are in graph-edits.ts.
 */
import type { EdgeChange, NodeChange } from '@xyflow/react';
import type { ActionSetInput } from '../../../../shared/action-set';
import { MAX_LAYERS } from '../../../../shared/action-set';
import type { ActionSetRow } from '../../../../shared/history';
import type { LayerType } from '../../../../shared/layers';
import { api, errorText } from '../../api';
import type { Slice } from '../../store/slice';
import { emptyHistory } from '../../lib/undo-history';
import { currentDoc, docFromRow, docFromSpec, docToSpec, newDraftKey, newViewKey, setKey, type EditorDoc, type FlowEdge, type FlowNode } from './editor-doc';
import { createGraphEdits } from './graph-edits';
import { importActionSetText } from './import-spec';
import { uniqueName } from './spec-graph';
import type { XY } from './types';
import { datasetShape, type DatasetShapeId, type Validation } from './validation';
import type { ParamValue } from './values';
import { validateInBackground } from './validation-client';

export interface EditorSlice {
  actionSets: ActionSetRow[];
  actionSetsLoaded: boolean;
  actionSetsError: string | null;
  editorDocs: Record<string, EditorDoc>;
  editorKey: string | null;
  editorShape: DatasetShapeId;
  editorValidation: Validation | null;
  /** A validation is running (the shown one may be out of date). */
  editorValidating: boolean;
  editorSaving: boolean;
  editorSaveError: string | null;
  /** When the open document was last saved (for a short "Saved" note). */
  editorSavedAt: number | null;
  /** A message about the last import, delete or load (shown above the list). */
  editorNotice: { kind: 'error' | 'info'; text: string; /** One line each (an import's problems). */ details?: string[] } | null;
  /** The delete button was pressed once: the confirmation is showing. */
  editorConfirmingDelete: boolean;

  loadActionSets(): Promise<void>;
  openActionSet(key: string): void;
  newActionSet(): void;
  duplicateActionSet(): void;
  importActionSet(text: string, fileName: string): void;
  confirmDeleteActionSet(asking: boolean): void;
  deleteActionSet(): Promise<void>;
  /** Saves the open set; a built-in one is read-only, so its changes are saved as a new copy (and the built-in one stays as it was). */
  saveActionSet(): Promise<void>;
  /** Brings back the default sets that were deleted (actionSets.restoreDefaults). */
  restoreDefaultActionSets(): Promise<void>;
  revertActionSet(): void;
  setEditorShape(shape: DatasetShapeId): void;
  setEditorMeta(patch: Partial<Pick<EditorDoc, 'name' | 'description' | 'maxLayers'>>): void;
  editorNodesChange(changes: NodeChange<FlowNode>[]): void;
  editorEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  editorConnect(from: string, to: string): void;
  /** Adds a layer node at `position` (flow coordinates), selects it and returns its id. */
  addLayer(type: LayerType, position: XY): string;
  setParam(nodeId: string, param: string, value: ParamValue | undefined): void;
  /** Renames a node (its edges follow); returns why it cannot, or null. */
  renameNode(from: string, to: string): string | null;
  deleteElements(nodeIds: string[], edgeIds: string[]): void;
  selectElement(id: string | null, kind?: 'node' | 'edge'): void;
  autoLayout(): void;
  /** Takes the open set back one change, or forward one undone change (Ctrl/Cmd+Z, Shift+Ctrl/Cmd+Z or Ctrl+Y). */
  editorUndo(): void;
  editorRedo(): void;
  /** The layout of a freshly opened set, redone with the measured node sizes (not a change to the set). */
  layoutMeasured(): void;
  validateEditor(): void;
  setEditorNotice(notice: EditorSlice['editorNotice']): void;
}

/** Every name in use: stored sets and open documents. */
function namesInUse(state: Pick<EditorSlice, 'actionSets' | 'editorDocs'>): string[] {
  return [...state.actionSets.map((r) => r.name), ...Object.values(state.editorDocs).map((d) => d.name)];
}

export const createEditorSlice: Slice<EditorSlice> = (set, get, store) => {
  /** The open document, or null. */
  const current = (): EditorDoc | null => currentDoc(get());

  const openDoc = (doc: EditorDoc) => {
    set((s) => ({
      editorDocs: { ...s.editorDocs, [doc.key]: doc },
      editorKey: doc.key,
      editorSaveError: null,
      editorSavedAt: null,
      editorConfirmingDelete: false,
      editorValidation: null,
    }));
  };

  return {
    actionSets: [],
    actionSetsLoaded: false,
    actionSetsError: null,
    editorDocs: {},
    editorKey: null,
    editorShape: 'fashion-mnist',
    editorValidation: null,
    editorValidating: false,
    editorSaving: false,
    editorSaveError: null,
    editorSavedAt: null,
    editorNotice: null,
    editorConfirmingDelete: false,

    loadActionSets: async () => {
      let rows: ActionSetRow[];
      try {
        rows = await api.call('actionSets.list', {});
      } catch (error) {
        set({ actionSetsError: errorText(error), actionSetsLoaded: true });
        return;
      }
      set((s) => {
        const byKey = new Map(rows.map((r) => [setKey(r.id), r]));
        const docs: Record<string, EditorDoc> = {};
        for (const [key, doc] of Object.entries(s.editorDocs)) {
          const row = byKey.get(key);
          if (doc.id === null) docs[key] = doc; // an unsaved draft
          else if (row && (doc.dirty || row.updatedAt === doc.updatedAt)) docs[key] = { ...doc, builtin: row.builtin };
          // otherwise: deleted elsewhere, or changed since it was opened and not edited here: reload on open
        }
        return { actionSets: rows, actionSetsLoaded: true, actionSetsError: null, editorDocs: docs };
      });
      const { editorKey, editorDocs, actionSets } = get();
      const stillThere = editorKey !== null && (editorDocs[editorKey] || actionSets.some((r) => setKey(r.id) === editorKey));
      if (editorKey !== null && stillThere) {
        if (!editorDocs[editorKey]) get().openActionSet(editorKey);
      } else {
        const first = actionSets[0] ? setKey(actionSets[0].id) : Object.keys(editorDocs)[0];
        if (first) get().openActionSet(first);
        else set({ editorKey: null });
      }
    },

    openActionSet: (key) => {
      const existing = get().editorDocs[key];
      if (existing) {
        if (key !== get().editorKey) openDoc(existing);
        return;
      }
      const row = get().actionSets.find((r) => setKey(r.id) === key);
      if (row) openDoc(docFromRow(row));
    },

    newActionSet: () => {
      const name = uniqueName('untitled', namesInUse(get()));
      openDoc(docFromSpec({ name, maxLayers: MAX_LAYERS.default, nodes: [], edges: [] }, { key: newDraftKey(), id: null, builtin: false, updatedAt: null }));
      set({ editorNotice: null });
    },

    duplicateActionSet: () => {
      const doc = current();
      if (!doc) return;
      const name = uniqueName(`${doc.name.trim() || 'untitled'} copy`, namesInUse(get()));
      const key = newDraftKey();
      const copy: EditorDoc = {
        ...doc,
        key,
        viewKey: newViewKey(key),
        id: null,
        builtin: false,
        name,
        updatedAt: null,
        dirty: true,
        revision: 0,
        history: emptyHistory(),
        nodes: doc.nodes.map((n) => ({ ...n, selected: false })),
        edges: doc.edges.map((e) => ({ ...e, selected: false })),
      };
      openDoc(copy);
    },

    importActionSet: (text, fileName) => {
      const imported = importActionSetText(text);
      if (!imported.ok) {
        const count = imported.problems.length;
        set({ editorNotice: { kind: 'error', text: `Cannot import ${fileName}: ${count === 1 ? 'one problem' : `${count} problems`}, nothing was loaded.`, details: imported.problems } });
        return;
      }
      const { spec } = imported;
      const name = uniqueName(spec.name, namesInUse(get()));
      const doc = docFromSpec({ ...spec, name }, { key: newDraftKey(), id: null, builtin: false, updatedAt: null });
      openDoc({ ...doc, dirty: true });
      set({
        editorNotice: {
          kind: 'info',
          text: `Imported ${fileName}${name !== spec.name ? ` as "${name}" (the name "${spec.name}" is taken)` : ''}: not saved yet.`,
        },
      });
    },

    confirmDeleteActionSet: (asking) => set({ editorConfirmingDelete: asking }),

    deleteActionSet: async () => {
      const doc = current();
      if (!doc) return;
      set({ editorConfirmingDelete: false });
      if (doc.id !== null) {
        try {
          await api.call('actionSets.delete', { id: doc.id });
        } catch (error) {
          set({ editorNotice: { kind: 'error', text: `Cannot delete "${doc.name}": ${errorText(error)}` } });
          return;
        }
      }
      set((s) => {
        const docs = { ...s.editorDocs };
        delete docs[doc.key];
        return { editorDocs: docs, editorKey: null, editorNotice: { kind: 'info', text: `Deleted "${doc.name}".` } };
      });
      await get().loadActionSets();
    },

    saveActionSet: async () => {
      const doc = current();
      if (!doc || get().editorSaving) return;
      set({ editorSaving: true, editorSaveError: null });
      const spec = docToSpec(doc);
      // A built-in set is read-only: its copy takes the name typed, or "<name> copy" while it has the built-in's.
      const stored = doc.builtin ? get().actionSets.find((r) => r.id === doc.id) : undefined;
      const copyName = doc.builtin && (!stored || doc.name.trim().toLowerCase() === stored.name.toLowerCase()) ? uniqueName(`${doc.name.trim()} copy`, namesInUse(get())) : doc.name;
      try {
        const row = await api.call('actionSets.save', {
          ...(doc.id !== null && !doc.builtin ? { id: doc.id } : {}),
          name: copyName,
          spec: spec as unknown as ActionSetInput,
        });
        if (doc.builtin) {
          // The copy opens as a set of its own; the built-in one goes back to what it was.
          const copy: EditorDoc = { ...doc, key: setKey(row.id), id: row.id, builtin: false, name: row.name, dirty: false, updatedAt: row.updatedAt, viewKey: newViewKey(setKey(row.id)) };
          set((s) => {
            const docs = { ...s.editorDocs };
            delete docs[doc.key];
            docs[copy.key] = copy;
            return {
              editorDocs: docs,
              editorKey: copy.key,
              actionSets: [...s.actionSets, row],
              editorSaving: false,
              editorSavedAt: Date.now(),
              editorNotice: { kind: 'info', text: `"${stored?.name ?? doc.name}" is built in and stays as it is: your changes were saved as "${row.name}".` },
            };
          });
          await get().loadActionSets();
          return;
        }
        const key = setKey(row.id);
        set((s) => {
          const latest = s.editorDocs[doc.key] ?? doc;
          const saved: EditorDoc = {
            ...latest,
            key,
            id: row.id,
            builtin: row.builtin,
            name: latest.revision === doc.revision ? row.name : latest.name,
            dirty: latest.revision !== doc.revision,
            updatedAt: row.updatedAt,
          };
          const docs = { ...s.editorDocs };
          delete docs[doc.key];
          docs[key] = saved;
          const rows = s.actionSets.some((r) => r.id === row.id) ? s.actionSets.map((r) => (r.id === row.id ? row : r)) : [...s.actionSets, row];
          return {
            editorDocs: docs,
            editorKey: s.editorKey === doc.key ? key : s.editorKey,
            actionSets: rows,
            editorSaving: false,
            editorSavedAt: Date.now(),
          };
        });
        await get().loadActionSets();
      } catch (error) {
        set({ editorSaving: false, editorSaveError: errorText(error) });
      }
    },

    restoreDefaultActionSets: async () => {
      try {
        const { restored } = await api.call('actionSets.restoreDefaults', {});
        // Reopen restored sets from the store, not from an edited copy of the old one.
        set((s) => {
          const docs = { ...s.editorDocs };
          for (const doc of Object.values(docs)) if (doc.builtin && restored.includes(doc.name)) delete docs[doc.key];
          return {
            editorDocs: docs,
            editorNotice: { kind: 'info', text: restored.length ? `Restored ${restored.map((n) => `"${n}"`).join(', ')}.` : 'Every default set is already there, as it ships.' },
          };
        });
        await get().loadActionSets();
      } catch (error) {
        set({ editorNotice: { kind: 'error', text: `Cannot restore the default sets: ${errorText(error)}` } });
      }
    },

    revertActionSet: () => {
      const doc = current();
      if (!doc || doc.id === null) return;
      const row = get().actionSets.find((r) => r.id === doc.id);
      if (row) openDoc(docFromRow(row));
    },

    setEditorShape: (shape) => set({ editorShape: shape }),

    validateEditor: () => {
      const doc = current();
      if (!doc) return set({ editorValidation: null, editorValidating: false });
      const key = doc.key;
      set({ editorValidating: true });
      void validateInBackground(docToSpec(doc, { positions: false }), datasetShape(get().editorShape)).then((validation) => {
        // null: a later request is on its way; another key: the user opened another set meanwhile.
        if (validation && get().editorKey === key) set({ editorValidation: validation, editorValidating: false });
      });
    },

    setEditorNotice: (notice) => set({ editorNotice: notice }),

    ...createGraphEdits(set, get, store),
  };
};
