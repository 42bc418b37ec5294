/**
 * The desktop app's export: a save dialog for the zip (with the window as its parent), then the
 * file written where the user said. Cancelling writes nothing.
 */
import { writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { dialog, type BrowserWindow, type SaveDialogOptions } from 'electron';
import type { ExportDelivery } from '../shared/api';
import type { ExportArchive } from './services/export-archive';

export async function saveArchiveWithDialog(archive: ExportArchive, window: BrowserWindow | null, folder: string): Promise<ExportDelivery> {
  const options: SaveDialogOptions = {
    title: 'Export',
    defaultPath: join(folder, archive.fileName),
    buttonLabel: 'Export',
    filters: [{ name: 'Zip archive', extensions: ['zip'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const { canceled, filePath } = window && !window.isDestroyed() ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  if (canceled || !filePath) return { kind: 'cancelled' };
  const path = extname(filePath) ? filePath : `${filePath}.zip`;
  await writeFile(path, archive.bytes);
  return { kind: 'saved', path, index: archive.index, entries: archive.entries };
}
