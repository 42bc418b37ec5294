/**
 * The launcher's look into a folder dataset before a run: its classes with their image counts and a
 * few images of each, as the network will see them (the chosen size and channels), or why the
 * folder is no dataset. Main decodes the samples (datasets.previewFolder); the folder is a path on
 * the machine that runs main, which in browser mode is the server's.
 */
import { useEffect, useState } from 'react';
import type { ApiResults } from '../../../../shared/api';
import { FolderImageSchema } from '../../../../shared/run-config';
import { api, errorText } from '../../api';
import { folderImageOf, type LaunchForm } from './launch-form';

/** Typing settles this long before the folder is looked at. */
const SETTLE_MS = 300;
const SAMPLES_PER_CLASS = 4;

type Preview = ApiResults['datasets.previewFolder'];
type State = { kind: 'idle' } | { kind: 'loading' } | { kind: 'done'; result: Preview } | { kind: 'failed'; message: string };

export function FolderPreviewPanel(props: { form: Pick<LaunchForm, 'dataDir' | 'imageSize' | 'channels'> }) {
  const dir = props.form.dataDir.trim();
  const image = FolderImageSchema.safeParse(folderImageOf(props.form));
  const size = image.success ? image.data.size : null;
  const channels = image.success ? image.data.channels : null;
  const [state, setState] = useState<State>({ kind: 'idle' });

  useEffect(() => {
    if (!dir || size === null || channels === null) return setState({ kind: 'idle' });
    let current = true;
    setState({ kind: 'loading' });
    const timer = setTimeout(() => {
      api.call('datasets.previewFolder', { dir, image: { size, channels }, samplesPerClass: SAMPLES_PER_CLASS }).then(
        (result) => current && setState({ kind: 'done', result }),
        (error: unknown) => current && setState({ kind: 'failed', message: errorText(error) }),
      );
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [dir, size, channels]);

  return (
    <div className="folder-preview" data-testid="folder-preview" aria-live="polite">
      {state.kind === 'idle' && <span className="launch-hint">Give the folder (one subfolder of PNG/JPEG images per class) and a valid image size to see its classes.</span>}
      {state.kind === 'loading' && <span className="launch-hint">Looking at the folder…</span>}
      {state.kind === 'failed' && (
        <span className="error" data-testid="folder-problem">
          {state.message}
        </span>
      )}
      {state.kind === 'done' && 'problem' in state.result && (
        <span className="error" data-testid="folder-problem">
          {state.result.problem.message} <span className="launch-hint">({state.result.problem.fix})</span>
        </span>
      )}
      {state.kind === 'done' && 'preview' in state.result && <FolderClasses preview={state.result.preview} />}
    </div>
  );
}

function FolderClasses({ preview }: { preview: Extract<Preview, { preview: unknown }>['preview'] }) {
  const { size, channels } = preview.image;
  return (
    <>
      <div className="folder-summary" data-testid="folder-summary">
        {preview.classes.length} classes · {preview.total.toLocaleString('en')} images · shown as the network sees them: {size}×{size} {channels === 1 ? 'grayscale' : 'RGB'}
        {preview.emptyFolders.length > 0 && <span className="launch-hint"> · no images in {preview.emptyFolders.join(', ')} (not classes)</span>}
      </div>
      <ul className="folder-classes">
        {preview.classes.map((c) => (
          <li key={c.name} className="folder-class" data-testid="folder-class" data-class={c.name}>
            <span className="folder-class-name" title={c.name}>
              {c.name}
            </span>
            <span className="folder-class-count" data-testid="folder-class-count">
              {c.count.toLocaleString('en')} {c.count === 1 ? 'image' : 'images'}
            </span>
            <span className="folder-samples">
              {c.samples.map((s) =>
                'dataUrl' in s ? (
                  <img key={s.path} src={s.dataUrl} alt={s.path} title={s.path} width={48} height={48} data-testid="folder-sample" />
                ) : (
                  <span key={s.path} className="folder-sample-error" title={`${s.path}: ${s.error}`} data-testid="folder-sample-error">
                    unreadable
                  </span>
                ),
              )}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
