/**
 * An export as one zip file, for the user's own computer: the browser downloads it (browser mode)
 * and the desktop app saves it where its save dialog says. Same files as the CLI's `export` (the
 * model in layers format, its architecture, for a run its history), in one folder inside the zip.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { zipSync } from 'fflate';
import type { ExportDelivery } from '../../shared/api';
import type { HistoryStore } from '../db/history-store';
import { exportTarget } from './exporter';

export interface ExportArchive {
  runId: string;
  /** The candidate exported (the run's best when none was named). */
  index: number;
  /** e.g. "gennerator-3f2a9c1d-best-7.zip". */
  fileName: string;
  /** The paths inside the zip. */
  entries: string[];
  bytes: Uint8Array;
}

/** Hands an archive to the user: a download link in the browser, a file chosen in a save dialog in the desktop app. */
export type ArchiveDelivery = (archive: ExportArchive) => Promise<ExportDelivery>;

/** Exports into a temporary folder, packs it into a zip, and removes the folder. */
export function exportArchive(store: HistoryStore, runId: string, index?: number): ExportArchive {
  const scratch = mkdtempSync(join(tmpdir(), 'gennerator-export-'));
  try {
    const exported = exportTarget(store, runId, index, () => scratch, { record: false });
    const folder = `gennerator-${runId.slice(0, 8)}-${index === undefined ? 'best' : 'candidate'}-${exported.index}`;
    const files = Object.fromEntries(exported.files.map((file) => [`${folder}/${basename(file)}`, new Uint8Array(readFileSync(file))]));
    // The weights do not shrink much; the JSON and CSV files do.
    const bytes = zipSync(files, { level: 6, mtime: new Date() });
    return { runId, index: exported.index, fileName: `${folder}.zip`, entries: Object.keys(files), bytes };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Exports, delivers, and records where the zip went (unless the user cancelled). */
export async function deliverExport(store: HistoryStore, deliver: ArchiveDelivery, runId: string, index?: number): Promise<ExportDelivery> {
  const archive = exportArchive(store, runId, index);
  const delivered = await deliver(archive);
  if (delivered.kind !== 'cancelled') {
    store.recordExport({ runId, index: archive.index, kind: 'archive', path: delivered.kind === 'saved' ? delivered.path : `download:${archive.fileName}` });
  }
  return delivered;
}
