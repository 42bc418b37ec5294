/**
 * The API's handlers over a real store and a supervisor with a scripted engine: each gets its
 * parameters as API_PARAMS parses them, and its type says so (a schema change a handler does not
 * follow fails to compile).
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiResults } from '../../src/shared/api';
import { HistoryStore } from '../../src/main/db/history-store';
import { createApiHandlers, type ApiHandlers } from '../../src/main/services/api-handlers';
import { RunSupervisor } from '../../src/main/services/run-supervisor';
import { tempDataDir } from '../support/cli';
import { writeImageFolder } from '../support/image-folder';
import { SilentEngine } from '../support/silent-engine';

let store: HistoryStore;
afterEach(() => store?.close());

function dispatcher() {
  store = HistoryStore.open(join(tempDataDir(), 'history.db'));
  const spawned: SilentEngine[] = [];
  const supervisor = new RunSupervisor(store, () => spawned[spawned.push(new SilentEngine()) - 1], { log: () => undefined });
  return { call: createApiHandlers({ store, supervisor, shell: 'browser', backend: () => null, defaultExportDir: '/tmp', defaultActionSets: [] }), spawned };
}

describe('API handlers', () => {
  it('get parameters as parsed: a run starts from the config with its defaults filled in', async () => {
    const { call, spawned } = dispatcher();
    const { runId } = (await call('runs.start', { config: { evaluator: 'nb201', strategy: 'random', budget: 3, seed: 0 } })) as { runId: string };
    expect(spawned).toHaveLength(1);
    expect(store.getRun(runId)?.config).toMatchObject({ mode: 'full', backend: 'auto', nb201Dataset: 'cifar10' });
    await call('runs.rename', { runId, name: 'first' });
    expect(store.getRun(runId)?.name).toBe('first');
  });

  it('refuse what the schema refuses, before acting', async () => {
    const { call, spawned } = dispatcher();
    await expect(call('runs.start', { config: { evaluator: 'training', strategy: 'random', budget: 3, seed: 0 } })).rejects.toThrow(/runs\.start: .*needs an action set[\s\S]*config\.actionSet/);
    expect(store.listRuns({})).toEqual([]);
    expect(spawned).toHaveLength(0);
  });

  it('refuse a run whose files are missing with the field and the fix, record nothing and start no engine', async () => {
    const { call, spawned } = dispatcher();
    const mlp = { name: 'mlp', nodes: [{ id: 'd', layer: { type: 'dense', units: 8 } }] };
    const refused = await call('runs.start', { config: { evaluator: 'training', strategy: 'random', budget: 3, seed: 0, dataset: 'fashion-mnist', dataDir: '/nonexistent', actionSet: mlp } });
    expect(refused).toEqual({ refused: [{ field: 'dataDir', message: expect.stringMatching(/^\/nonexistent: directory not found/), fix: expect.any(String) }] });
    const nb201 = await call('runs.start', { config: { evaluator: 'nb201', strategy: 'random', budget: 3, seed: 0, nb201Dir: '/nonexistent' } });
    expect(nb201).toEqual({ refused: [expect.objectContaining({ field: 'nb201Dir' })] });
    expect(store.listRuns({})).toEqual([]);
    expect(spawned).toHaveLength(0);
  });

  it('preview a folder dataset: its classes, counts and samples decoded at the chosen size, or why it is no dataset', async () => {
    const { call } = dispatcher();
    const folder = join(tempDataDir(), 'pets');
    await writeImageFolder(folder, { classes: ['cat', 'dog'], perClass: 5 });
    const result = (await call('datasets.previewFolder', { dir: folder, image: { size: 6, channels: 1 }, samplesPerClass: 3 })) as ApiResults['datasets.previewFolder'];
    if (!('preview' in result)) throw new Error(`no preview: ${JSON.stringify(result)}`);
    const { preview } = result;
    expect(preview).toMatchObject({ dir: folder, total: 10, image: { size: 6, channels: 1 }, emptyFolders: [] });
    expect(preview.classes.map((c) => [c.name, c.count, c.samples.map((s) => s.path)])).toEqual([
      ['cat', 5, ['cat/cat-000.png', 'cat/cat-002.png', 'cat/cat-004.png']],
      ['dog', 5, ['dog/dog-000.png', 'dog/dog-002.png', 'dog/dog-004.png']],
    ]);
    const sample = preview.classes[0].samples[0];
    if (!('dataUrl' in sample)) throw new Error(sample.error);
    const png = Buffer.from(sample.dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 6, height: 6, channels: 1 });

    expect(await call('datasets.previewFolder', { dir: '/nonexistent', image: { size: 6, channels: 1 } })).toEqual({
      problem: { message: '/nonexistent: directory not found', fix: expect.stringMatching(/one subfolder of PNG\/JPEG images per class/) },
    });
    await expect(call('datasets.previewFolder', { dir: folder, image: { size: 6, channels: 2 } })).rejects.toThrow(/datasets\.previewFolder: [\s\S]*image\.channels/);
    await expect(call('datasets.previewFolder', { dir: '', image: { size: 6, channels: 1 } })).rejects.toThrow(/datasets\.previewFolder: [\s\S]*dir/);
  });

  it('are typed by their schemas', () => {
    // @ts-expect-error runs.rename's schema has `name`, not `title`: a handler written for another shape does not compile.
    const drifted: ApiHandlers['runs.rename'] = (p: { runId: string; title: string }) => (void p.title, { ok: true as const });
    void drifted;
  });
});
