/** What an export produced: a zip downloaded (browser) or saved (desktop app), or files written into a folder on the machine that runs main. */
import type { HistoryExport } from './slice';

export function ExportResultView({ result }: { result: HistoryExport['result'] }) {
  if ('kind' in result) {
    const where = result.kind === 'download' ? (
      <>
        Downloaded <code className="mono">{result.fileName}</code> to your computer
      </>
    ) : (
      <>
        Saved <code className="mono">{result.path}</code>
      </>
    );
    return (
      <div className="export-result" data-testid="export-result" data-kind={result.kind} role="status">
        <div>
          {where}: candidate #{result.index}, {result.entries.length} files
        </div>
        <ul>
          {result.entries.map((entry) => (
            <li key={entry} className="mono" title={entry}>
              {entry.split('/').pop()}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const dir = commonDir(result.files);
  return (
    <div className="export-result" data-testid="export-result" data-kind="server" role="status">
      <div>
        Exported candidate #{result.index} to <code className="mono">{dir}</code> on the server
      </div>
      <ul>
        {result.files.map((file) => (
          <li key={file} className="mono" title={file}>
            {dir && file.startsWith(dir) ? file.slice(dir.length).replace(/^[\\/]/, '') : file}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The folder all the files are in (they are written into one). */
function commonDir(files: string[]): string {
  if (files.length === 0) return '';
  const cut = (f: string) => f.slice(0, Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\')));
  const dirs = files.map(cut);
  return dirs.every((d) => d === dirs[0]) ? dirs[0] : '';
}
