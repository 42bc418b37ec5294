/** The open set's bar: name, max layers, input shape, the network count, and the file and store actions. */
import { MAX_LAYERS } from '../../../../shared/action-set';
import { downloadText } from '../../lib/download';
import { MOD } from '../../lib/shortcuts';
import { useAppPick } from '../../store';
import { docToSpec, type EditorDoc } from './editor-doc';
import { formatCount } from './format';
import { DATASET_SHAPES, type DatasetShapeId } from './validation';

export function Toolbar({ doc }: { doc: EditorDoc }) {
  const {
    editorValidation: validation, editorValidating: validating, editorShape: shape, editorSaving: saving,
    editorSaveError: saveError, editorSavedAt: savedAt, editorConfirmingDelete: confirming,
    setEditorMeta: setMeta, setEditorShape: setShape, saveActionSet: save, duplicateActionSet: duplicate,
    confirmDeleteActionSet: confirmDelete, deleteActionSet: remove, revertActionSet: revert, editorUndo: undo,
    editorRedo: redo,
  } = useAppPick(
    'editorValidation', 'editorValidating', 'editorShape', 'editorSaving', 'editorSaveError', 'editorSavedAt',
    'editorConfirmingDelete', 'setEditorMeta', 'setEditorShape', 'saveActionSet', 'duplicateActionSet',
    'confirmDeleteActionSet', 'deleteActionSet', 'revertActionSet', 'editorUndo', 'editorRedo',
  );

  const nameProblem = validation?.problems.find((p) => p.field === 'name');
  const maxProblem = validation?.problems.find((p) => p.field === 'maxLayers');
  const count = validation?.count ?? null;
  const noNetwork = validation?.problems.some((p) => p.kind === 'no-network');

  const exportJson = () => {
    const fileName = `${(doc.name.trim() || 'action-set').replace(/[^\w.-]+/g, '-')}.json`;
    downloadText(fileName, `${JSON.stringify(docToSpec(doc), null, 2)}\n`);
  };

  return (
    <div className="ase-toolbar">
      <div className="ase-toolbar-row">
        <input
          className={`ase-name${nameProblem ? ' is-bad' : ''}`}
          data-testid="action-set-name"
          aria-label="Action set name"
          value={doc.name}
          style={{ width: `${Math.min(40, Math.max(12, doc.name.length + 3))}ch` }}
          placeholder="Name"
          spellCheck={false}
          maxLength={200}
          onChange={(e) => setMeta({ name: e.target.value })}
          title={nameProblem?.message}
        />
        {doc.builtin && (
          <span className="ase-tag" title="Comes with the app and is read-only: saving it makes a copy" data-testid="builtin-tag">
            built-in, read-only
          </span>
        )}
        <span className={`ase-state${doc.dirty || doc.id === null ? ' dirty' : ''}`} data-testid="save-state">
          {doc.id === null ? 'not saved yet' : doc.dirty ? 'unsaved changes' : savedAt ? 'saved' : ''}
        </span>
        <div className="ase-spacer" />
        <button type="button" className="secondary" data-testid="undo-action-set" onClick={undo} disabled={doc.history.past.length === 0} title={`Undo the last change (${MOD}+Z)`}>
          Undo
        </button>
        <button type="button" className="secondary" data-testid="redo-action-set" onClick={redo} disabled={doc.history.future.length === 0} title={`Redo (Shift+${MOD}+Z or Ctrl+Y)`}>
          Redo
        </button>
        <button type="button" className="secondary" data-testid="export-action-set" onClick={exportJson} title="Download this set as JSON">
          Export
        </button>
        <button type="button" className="secondary" data-testid="duplicate-action-set" onClick={duplicate} title="A copy of this set, as a new unsaved set">
          Duplicate
        </button>
        {confirming ? (
          <span className="ase-confirm" role="alertdialog" aria-label="Confirm delete">
            {doc.id === null ? 'Discard this unsaved set?' : `Delete “${doc.name}”?`}
            <button type="button" className="ase-danger-solid" data-testid="confirm-delete-action-set" onClick={() => void remove()} autoFocus>
              Delete
            </button>
            <button type="button" className="secondary" data-testid="cancel-delete-action-set" onClick={() => confirmDelete(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className="secondary ase-danger" data-testid="delete-action-set" onClick={() => confirmDelete(true)}>
            Delete
          </button>
        )}
        {doc.id !== null && doc.dirty && (
          <button type="button" className="secondary" data-testid="revert-action-set" onClick={revert} title="Discard the changes since the last save">
            Revert
          </button>
        )}
        {saveError && (
          <span className="ase-save-error" role="alert" data-testid="save-error">
            {saveError}
          </span>
        )}
        <button
          type="button"
          className="primary"
          data-testid="save-action-set"
          disabled={saving}
          onClick={() => void save()}
          title={doc.builtin ? 'Built-in sets are read-only: this saves your changes as a new set' : undefined}
        >
          {saving ? 'Saving…' : doc.builtin ? 'Save as copy' : 'Save'}
        </button>
      </div>
      <div className="ase-toolbar-row ase-toolbar-meta">
        <label className={`ase-inline${maxProblem ? ' is-bad' : ''}`} title={maxProblem?.message ?? `The most layers a network may have (${MAX_LAYERS.min}–${MAX_LAYERS.max}), head not counted`}>
          Max layers
          <input
            type="number"
            min={MAX_LAYERS.min}
            max={MAX_LAYERS.max}
            step={1}
            data-testid="max-layers"
            value={Number.isFinite(doc.maxLayers) ? doc.maxLayers : ''}
            onChange={(e) => setMeta({ maxLayers: e.target.value === '' ? Number.NaN : Number(e.target.value) })}
          />
        </label>
        <label className="ase-inline" title="The input shape used to check shapes and count networks">
          Input
          <select data-testid="input-shape" value={shape} onChange={(e) => setShape(e.target.value as DatasetShapeId)}>
            {DATASET_SHAPES.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <div className="ase-spacer" />
        <span
          className={`ase-count-text${count === null || noNetwork ? ' bad' : ''}${validating ? ' pending' : ''}`}
          data-testid="network-count"
          data-count={count === null ? '' : String(count)}
          data-pending={validating ? 'true' : undefined}
          title={count === null ? 'The set has errors: fix them to count its networks' : `${count.toLocaleString('en-US')} distinct networks of at most ${doc.maxLayers} layers`}
        >
          {validation ? formatCount(count) : 'counting…'}
        </span>
        {validation?.choices != null && (
          <span className="ase-muted">
            from {validation.choices} layer {validation.choices === 1 ? 'choice' : 'choices'}, at most {doc.maxLayers} deep
          </span>
        )}
      </div>
    </div>
  );
}
