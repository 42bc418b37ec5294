/** The side list: stored sets and unsaved new ones; New and Import. */
import type { ChangeEvent } from 'react';
import { useAppPick } from '../../store';

export function SetList() {
  const {
    actionSets: rows, actionSetsLoaded: loaded, actionSetsError: listError, editorDocs: docs,
    editorKey: openKey, editorNotice: notice, openActionSet: open, newActionSet: create,
    importActionSet: importSet, setEditorNotice: setNotice, loadActionSets: load,
    restoreDefaultActionSets: restoreDefaults,
  } = useAppPick(
    'actionSets', 'actionSetsLoaded', 'actionSetsError', 'editorDocs', 'editorKey', 'editorNotice',
    'openActionSet', 'newActionSet', 'importActionSet', 'setEditorNotice', 'loadActionSets',
    'restoreDefaultActionSets',
  );

  const drafts = Object.values(docs).filter((d) => d.id === null);

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    try {
      importSet(await file.text(), file.name);
    } catch (error) {
      setNotice({ kind: 'error', text: `Cannot read ${file.name}: ${error instanceof Error ? error.message : String(error)}` });
    }
    input.value = '';
  };

  return (
    <aside className="ase-list">
      <div className="ase-list-head">
        <span className="ase-section-title">Action sets</span>
        <div className="ase-list-actions">
          <button type="button" className="secondary ase-small" data-testid="new-action-set" onClick={create} title="A new, empty set">
            New
          </button>
          <label className="secondary ase-small ase-file" title="Open an action set JSON file as a new set">
            Import…
            <input type="file" accept=".json,application/json" data-testid="import-action-set" onChange={(e) => void onFile(e)} />
          </label>
          <button
            type="button"
            className="secondary ase-small"
            data-testid="restore-defaults"
            onClick={() => void restoreDefaults()}
            title="Bring back the sets that come with the app, as they ship (deleted ones, and built-in ones that were changed)"
          >
            Restore defaults
          </button>
        </div>
      </div>
      {notice && (
        <div className={`ase-notice ase-sev-${notice.kind}`} data-testid="editor-notice" role={notice.kind === 'error' ? 'alert' : 'status'}>
          <div>
            <span>{notice.text}</span>
            {notice.details && (
              <ul className="ase-notice-details" data-testid="editor-notice-problems">
                {notice.details.map((line) => (
                  <li key={line} className="mono">
                    {line}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <button type="button" className="ase-link" aria-label="Dismiss" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      {listError && (
        <div className="ase-notice ase-sev-error" role="alert">
          <span>Cannot load the action sets: {listError}</span>
          <button type="button" className="ase-link" onClick={() => void load()}>
            retry
          </button>
        </div>
      )}
      {!loaded && <p className="ase-muted ase-pad">Loading…</p>}
      <ul className="ase-list-items" data-testid="action-set-list">
        {drafts.map((doc) => (
          <li key={doc.key}>
            <button
              type="button"
              className={`ase-list-item${doc.key === openKey ? ' active' : ''}`}
              data-testid={`action-set-item-${doc.name}`}
              onClick={() => open(doc.key)}
            >
              <span className="ase-list-name">
                {doc.name || 'untitled'}
                <span className="ase-tag draft">unsaved</span>
              </span>
              <span className="ase-list-desc">{doc.nodes.filter((n) => n.type === 'layer').length} layer nodes · new</span>
            </button>
          </li>
        ))}
        {rows.map((row) => {
          const key = `set:${row.id}`;
          const dirty = docs[key]?.dirty;
          const nodes = row.spec.nodes.length;
          return (
            <li key={key}>
              <button
                type="button"
                className={`ase-list-item${key === openKey ? ' active' : ''}`}
                data-testid={`action-set-item-${row.name}`}
                onClick={() => open(key)}
                title={row.spec.description}
              >
                <span className="ase-list-name">
                  {row.name}
                  {dirty && <span className="ase-dot" title="unsaved changes" />}
                  {row.builtin && <span className="ase-tag">built-in</span>}
                </span>
                <span className="ase-list-desc">
                  {nodes} layer {nodes === 1 ? 'node' : 'nodes'} · ≤ {row.spec.maxLayers} deep · {row.spec.edges.length ? `${row.spec.edges.length} edges` : 'any order'}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {loaded && rows.length === 0 && drafts.length === 0 && !listError && <p className="ase-muted ase-pad">No action sets yet: create one with New.</p>}
    </aside>
  );
}
