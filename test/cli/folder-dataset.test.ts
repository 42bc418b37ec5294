/**
 * `--dataset folder:PATH` end to end, on a folder of PNG and JPEG images the test writes: `train`
 * and `search` decode it to the chosen size and channels (once: the search finds it in the cache),
 * the history lists the run by its folder, and a folder the launch checks refuse exits 2 with one
 * line naming the option and the fix, recording no run.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDataDir } from '../support/cli';
import { expectOneError, runsIn } from '../support/cli-expect';
import { writeImageFolder } from '../support/image-folder';

const MLP = 'resources/action-sets/mlp.json';
const home = tempDataDir();
const folder = join(home, 'shapes');
const cacheDir = join(home, 'cache', 'datasets');
const env = { GENNERATOR_HOME: home };

beforeAll(async () => {
  await writeImageFolder(folder, { classes: ['circle', 'square', 'triangle'], perClass: 10 });
});

describe('--dataset folder:PATH', () => {
  it('train decodes the folder to the chosen size and channels and trains on it; search then reads it from the cache', async () => {
    const train = await runCli(['train', '--dataset', `folder:${folder}`, '--image-size', '8', '--channels', '1', '--arch', '[{"type":"dense","units":16}]', '--epochs', '1', '--backend', 'cpu', '--json'], env);
    expect(train.code, train.stderr).toBe(0);
    const data = train.events.find((e) => e.type === 'data');
    // 10 images per class: 1 of each is the test set, 10% of the rest validation.
    expect(data).toMatchObject({ dataset: 'folder', input_shape: [8, 8, 1], test: 3 });
    expect(Number(data?.train) + Number(data?.validation)).toBe(27);
    expect(train.events.at(-1)).toMatchObject({ type: 'summary', status: 'completed', test_acc: expect.any(Number) });
    const cached = readdirSync(cacheDir);
    expect(cached).toHaveLength(1);

    const db = join(home, 'history.db');
    const search = await runCli(['search', '--dataset', `folder:${folder}`, '--image-size', '8', '--channels', '1', '--strategy', 'random', '--budget', '2', '--epochs', '1', '--action-set', MLP, '--backend', 'cpu', '--json', '--db', db], env);
    expect(search.code, search.stderr).toBe(0);
    expect(search.events.at(-1)).toMatchObject({ type: 'summary', evaluations: 2, best_test_acc: expect.any(Number) });
    // Same folder, same options: the same cache file, not a second decode.
    expect(readdirSync(cacheDir)).toEqual(cached);
    const [run] = await runsIn(db);
    expect(run).toMatchObject({ dataset: `folder:${folder}`, status: 'completed' });

    const shown = await runCli(['runs', 'show', String(run.id), '--db', db], env);
    expect(shown.stdout).toContain(`over folder:${folder}`);
  });

  it.each([
    ['a missing folder', () => join(home, 'nowhere'), [], /^error: --dataset: .*nowhere: directory not found$/],
    [
      'a folder of one class',
      () => {
        const one = join(home, 'one');
        mkdirSync(join(one, 'only'), { recursive: true });
        writeFileSync(join(one, 'only', 'a.png'), '');
        return one;
      },
      [],
      /^error: --dataset: .*one: only one class \(only\): a folder dataset needs at least two classes, one subfolder each$/,
    ],
    ['a subset smaller than its classes', () => folder, ['--subset', '2'], /^error: --subset: a subset of 2 is smaller than the 3 classes of .*shapes: use at least 3 images/],
    [
      'an unreadable image',
      () => {
        const broken = join(home, 'broken');
        mkdirSync(join(broken, 'a'), { recursive: true });
        mkdirSync(join(broken, 'b'), { recursive: true });
        writeFileSync(join(broken, 'a', 'x.png'), 'not a PNG');
        writeFileSync(join(broken, 'b', 'y.jpg'), 'not a JPEG');
        return broken;
      },
      [],
      /^error: --dataset: .*broken\/a\/x\.png: unreadable image \(.+\); also unreadable: b\/y\.jpg; fix or remove them$/,
    ],
  ])('search refuses %s: exit 2, one line naming the option, no run recorded', async (_what, makeFolder, extra, error) => {
    const db = join(tempDataDir(), 'history.db');
    const run = await runCli(['search', '--dataset', `folder:${makeFolder()}`, ...extra, '--budget', '1', '--action-set', MLP, '--db', db], env);
    expect(run.code, run.stderr).toBe(2);
    const lines = expectOneError(run.stderr);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(error);
    expect(lines[1]).toMatch(/^hint: (give a directory with one subfolder of PNG\/JPEG images per class|use a subset of at least 3 images)/);
    expect(await runsIn(db)).toEqual([]);
  });

  it.each([
    ['--image-size on a built-in dataset', ['--dataset', 'fashion-mnist', '--image-size', '8'], /^error: --image-size: applies to --dataset folder:PATH only$/],
    ['--data-dir beside folder:PATH', ['--dataset', `folder:${folder}`, '--data-dir', folder], /^error: --data-dir: a folder dataset names its folder in --dataset folder:PATH$/],
    ['folder: without a path', ['--dataset', 'folder:'], /^error: option '--dataset <name>' argument 'folder:' is invalid\. expected fashion-mnist, cifar10, synthetic or folder:PATH/],
    ['--channels 2', ['--dataset', `folder:${folder}`, '--channels', '2'], /^error: option '--channels <n>' argument '2' is invalid/],
  ])('search refuses options that do not fit a folder: %s', async (_what, args, error) => {
    const run = await runCli(['search', ...args, '--budget', '1', '--action-set', MLP, '--db', join(tempDataDir(), 'history.db')], env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(error);
  });
});
