/** Learning a controller over tasks: a stopped learn resumed from its last checkpoint ends where an uninterrupted one does; sampled tasks. */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseActionSet } from '../../../src/shared/action-set';
import { TuningTaskSchema, type TuningTask } from '../../../src/shared/tuning';
import { initBackend } from '../../../src/engine/backends';
import { makeSyntheticDataset, prepareData, type PreparedData } from '../../../src/engine/data';
import { Controller, learnController, sampleTasks, taskOrder, type ControllerCheckpoint } from '../../../src/engine/tuning';

let data: PreparedData;
beforeAll(async () => {
  await initBackend('wasm');
  data = prepareData(makeSyntheticDataset({ seed: 6 }), { seed: 6 });
});

const tasks: TuningTask[] = [
  TuningTaskSchema.parse({ name: 'a', layers: [{ type: 'flatten' }, { type: 'dense', units: 8 }], dataset: 'synthetic', epochs: 1, decisionsPerEpoch: 3 }),
  TuningTaskSchema.parse({ name: 'b', layers: [{ type: 'flatten' }, { type: 'dense', units: 12 }, { type: 'dropout', rate: 0.1 }], dataset: 'synthetic', epochs: 1, decisionsPerEpoch: 3 }),
];
const settings = { episodes: 4, seed: 3, trainFrequencyMin: 2, trainFrequencyMax: 4 };

describe('learnController', () => {
  it('checkpoints every episode; a learn stopped after two and resumed from that checkpoint ends as an uninterrupted one', async () => {
    const straight = Controller.create(settings);
    const seen: string[] = [];
    await learnController({ controller: straight, tasks, settings, episodesDone: 0, loadData: async () => data, onEpisode: (e) => void seen.push(`${e.episode}:${e.task.name}`) });
    expect(seen.map((s) => s.split(':')[0])).toEqual(['1', '2', '3', '4']);

    const stop = new AbortController();
    let saved: ControllerCheckpoint | undefined;
    const first = Controller.create(settings);
    const part = await learnController({
      controller: first,
      tasks,
      settings,
      episodesDone: 0,
      loadData: async () => data,
      signal: stop.signal,
      onEpisode: (e) => {
        saved = JSON.parse(JSON.stringify(e.checkpoint));
        if (e.episode === 2) stop.abort();
      },
    });
    expect(part).toEqual({ episodesDone: 2, status: 'cancelled' });
    const resumed = Controller.restore(saved);
    const rest: string[] = [];
    await learnController({ controller: resumed, tasks, settings, episodesDone: 2, loadData: async () => data, onEpisode: (e) => void rest.push(`${e.episode}:${e.task.name}`) });
    expect(rest).toEqual(seen.slice(2));
    expect(resumed.checkpoint()).toEqual(straight.checkpoint());
  }, 60_000);

  it('visits every task once per round', () => {
    const order = Array.from({ length: 9 }, (_, e) => taskOrder(3, 5, e));
    for (let r = 0; r < 3; r++) expect([...order.slice(3 * r, 3 * r + 3)].sort()).toEqual([0, 1, 2]);
  });
});

describe('sampleTasks', () => {
  it('samples distinct networks the action set allows, with their own dropout as the start', () => {
    const actionSet = parseActionSet({
      name: 'small',
      maxLayers: 3,
      nodes: [
        { id: 'c', layer: { type: 'conv2d', filters: [4, 8] } },
        { id: 'p', layer: { type: 'maxPool' } },
        { id: 'd', layer: { type: 'dense', units: [8, 16] } },
        { id: 'x', layer: { type: 'dropout', rate: [0.2] } },
      ],
      edges: [],
    });
    const sampled = sampleTasks({ actionSet, count: 5, dataset: 'fashion-mnist', subset: 500, epochs: 2, decisionsPerEpoch: 2, seed: 1 });
    expect(sampled.map((t) => t.name)).toEqual(['sampled #1', 'sampled #2', 'sampled #3', 'sampled #4', 'sampled #5']);
    expect(new Set(sampled.map((t) => JSON.stringify(t.layers))).size).toBe(5);
    for (const t of sampled) {
      expect(t).toMatchObject({ dataset: 'fashion-mnist', subset: 500, epochs: 2, decisionsPerEpoch: 2 });
      const dropout = t.layers.find((l) => l.type === 'dropout');
      expect(t.initial.dropout).toBe(dropout ? 0.2 : 0);
    }
    expect(sampleTasks({ actionSet, count: 5, dataset: 'fashion-mnist', epochs: 2, seed: 1 }).map((t) => t.layers)).toEqual(sampled.map((t) => t.layers));
    expect(() => sampleTasks({ actionSet, count: 2, dataset: 'folder', epochs: 1, seed: 0 })).toThrow(/input shape of dataset folder is unknown/);
  });
});
