/**
 * Exports as one zip for the user's computer: the same files as the CLI's export, packed; browser
 * mode serves it once asked (GET /downloads/<token>/<name>), and records where it went.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/db/history-store';
import { createApiHandlers } from '../../src/main/services/api-handlers';
import { DownloadShelf } from '../../src/main/services/download-shelf';
import { exportArchive } from '../../src/main/services/export-archive';
import { RunSupervisor } from '../../src/main/services/run-supervisor';
import { startServer, type RunningServer } from '../../src/main/services/ws-server';
import type { ExportDelivery } from '../../src/shared/api';
import { tempDataDir } from '../support/cli';
import { SilentEngine } from '../support/silent-engine';
import { createRun, epoch, finished, proposed } from './db/helpers';

let store: HistoryStore;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  store?.close();
});

/** A finished run of two candidates; the second, the best, with kept weights. */
function runWithModel(): string {
  store = HistoryStore.open(join(tempDataDir(), 'history.db'));
  const runId = createRun(store);
  for (const [index, signal] of [[0, 0.5], [1, 0.8]] as const) {
    store.recordEvent(runId, proposed(index));
    store.recordEvent(runId, { type: 'epoch_done', index, metrics: epoch(1, signal) });
    const model = index === 1 ? { topology: { class_name: 'Sequential' }, weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' }], weightData: new Uint8Array([0, 0, 128, 63, 0, 0, 0, 64]) } : undefined;
    store.recordEvent(runId, finished(index, { signal, epochs: [signal] }), { checkpoint: { after: index }, model });
  }
  store.recordEvent(runId, { type: 'run_finished', status: 'completed', evaluations: 2, cacheHits: 0, bestIndex: 1 });
  return runId;
}

describe('export as a zip', () => {
  it('packs the best candidate with the run history into one folder of the zip', () => {
    const runId = runWithModel();
    const archive = exportArchive(store, runId);
    const folder = `gennerator-${runId.slice(0, 8)}-best-1`;
    expect(archive).toMatchObject({ runId, index: 1, fileName: `${folder}.zip` });
    const files = unzipSync(archive.bytes);
    expect(Object.keys(files).sort()).toEqual(['architecture.json', 'candidates.csv', 'epochs.csv', 'history.json', 'model.json', 'weights.bin'].map((f) => `${folder}/${f}`));
    expect(archive.entries.sort()).toEqual(Object.keys(files).sort());
    expect(Array.from(files[`${folder}/weights.bin`])).toEqual([0, 0, 128, 63, 0, 0, 0, 64]);
    expect(JSON.parse(strFromU8(files[`${folder}/model.json`]))).toMatchObject({ format: 'layers-model', weightsManifest: [{ paths: ['./weights.bin'] }] });
    expect(strFromU8(files[`${folder}/candidates.csv`]).trim().split('\n')).toHaveLength(3);
    // Nothing recorded for the scratch folder it was written into.
    expect(store.listExports(runId)).toEqual([]);
    // One candidate: its model and architecture only.
    expect(Object.keys(unzipSync(exportArchive(store, runId, 1).bytes)).map((f) => f.split('/')[1]).sort()).toEqual(['architecture.json', 'model.json', 'weights.bin']);
    expect(() => exportArchive(store, runId, 0)).toThrow(/were not kept/);
  });

  it('in browser mode: runs.exportArchive offers a download that the server serves as a zip attachment', async () => {
    const runId = runWithModel();
    const downloads = new DownloadShelf();
    const supervisor = new RunSupervisor(store, () => new SilentEngine(), { log: () => undefined });
    const call = createApiHandlers({
      store,
      supervisor,
      shell: 'browser',
      backend: () => null,
      defaultExportDir: tempDataDir(),
      defaultActionSets: [],
      deliverArchive: async (archive) => ({ kind: 'download', url: downloads.offer(archive.fileName, archive.bytes), fileName: archive.fileName, index: archive.index, entries: archive.entries }),
    });
    const renderer = join(tempDataDir(), 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>stand-in</title>');
    server = await startServer({ port: 0, staticDir: renderer, dispatch: call, subscribe: () => () => undefined, downloads, log: () => undefined });

    const delivered = (await call('runs.exportArchive', { runId })) as ExportDelivery;
    expect(delivered).toMatchObject({ kind: 'download', index: 1, fileName: `gennerator-${runId.slice(0, 8)}-best-1.zip`, url: expect.stringMatching(/^\/downloads\/[0-9a-f]{32}\//) });
    if (delivered.kind !== 'download') return;
    const response = await fetch(new URL(delivered.url, server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${delivered.fileName}"`);
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    expect(Object.keys(files)).toHaveLength(6);
    expect(store.listExports(runId)).toEqual([expect.objectContaining({ kind: 'archive', index: 1, path: `download:${delivered.fileName}` })]);
    // A guessed token finds nothing.
    expect((await fetch(new URL('/downloads/0123456789abcdef0123456789abcdef/x.zip', server.url))).status).toBe(404);
    await supervisor.shutdown();
  });

  it('the shelf keeps a download for a while, then drops it', () => {
    const shelf = new DownloadShelf(1000, 2);
    const first = shelf.offer('a.zip', new Uint8Array([1]), 0);
    expect(shelf.find(first, 999)?.fileName).toBe('a.zip');
    expect(shelf.find(first, 1000)).toBeUndefined();
    shelf.offer('b.zip', new Uint8Array([2]), 0);
    shelf.offer('c.zip', new Uint8Array([3]), 0);
    // Two at most: the oldest went first.
    expect(shelf.find(first, 1)).toBeUndefined();
  });
});
