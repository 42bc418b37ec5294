/** The files an export wrote (on the machine that runs main). */
import type { ExportResult } from '../../../../shared/api';

export function ExportResultView({ result }: { result: ExportResult }) {
  const dir = commonDir(result.files);
  return (
    <div className="export-result" data-testid="export-result" role="status">
      <div>
        Exported candidate #{result.index} to <code className="mono">{dir}</code>
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
