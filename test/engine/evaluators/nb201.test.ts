import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeArch,
  encodeArch,
  loadNb201,
  NB201_DIR_ENV,
  NB201_FILES,
  NB201_HEADER,
  NB201_SIZE,
  Nb201DataError,
  resolveNb201Dir,
  type Nb201Dataset,
} from '../../../src/engine/evaluators/nb201';
import { nb201Search } from '../../../src/engine/search/nb201-search';
import type { SearchEvent } from '../../../src/shared/events';
import type { SearchAgent } from '../../../src/engine/agents/agent';
import { RandomSearch } from '../../../src/engine/agents/random-search';
import { nb201DataDir } from '../../support/nb201';

/** Every action vector, in base-5 order (not the NB201 index order). */
const ALL_ACTIONS: number[][] = Array.from({ length: NB201_SIZE }, (_, k) => Array.from({ length: 6 }, (_, e) => Math.floor(k / 5 ** (5 - e)) % 5));

const DATA = nb201DataDir();

// The data-driven tests below are skipped without the tables; this one fails so that a missing
// table is never mistaken for a pass (CI has ../shared beside the checkout).
it('finds the NAS-Bench-201 tables', () => {
  expect(DATA, 'NAS-Bench-201 tables not found: put shared/ beside the checkout or set GENNERATOR_NB201_DIR').toBeTruthy();
});

describe('arch string encoding', () => {
  it('encodes the README example edge by edge in string order', () => {
    const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
    expect(encodeArch(arch)).toEqual([3, 3, 3, 1, 3, 3]);
    expect(decodeArch([3, 3, 3, 1, 3, 3])).toBe(arch);
    expect(decodeArch([0, 1, 2, 3, 4, 0])).toBe('|none~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|avg_pool_3x3~1|none~2|');
  });

  it('round-trips all 15,625 action vectors to distinct strings', () => {
    const strings = new Set<string>();
    for (const a of ALL_ACTIONS) {
      const s = decodeArch(a);
      strings.add(s);
      expect(encodeArch(s)).toEqual(a);
    }
    expect(strings.size).toBe(NB201_SIZE);
  });

  it('rejects malformed strings and vectors', () => {
    expect(() => encodeArch('|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|')).toThrow(/unknown NB201 op/);
    expect(() => encodeArch('|none~0|+|none~0|none~1|+|none~0|none~1|')).toThrow(/not an NB201 arch/);
    expect(() => encodeArch('|none~1|+|none~0|none~1|+|none~0|none~1|none~2|')).toThrow(/not an NB201 arch/);
    expect(() => decodeArch([0, 0, 0, 0, 0])).toThrow(/action vector/);
    expect(() => decodeArch([0, 0, 0, 0, 0, 5])).toThrow(/action vector/);
    expect(() => decodeArch([0, 0, 0, 0, 0, 1.5])).toThrow(/action vector/);
  });
});

describe.skipIf(!DATA)(`the NB201 tables (${DATA ?? 'data not found: skipped'})`, () => {
  it('loads both files once and caches them', () => {
    const table = loadNb201();
    expect(table.size).toBe(NB201_SIZE);
    expect(loadNb201()).toBe(table);
  });

  it('reproduces the README spot checks', () => {
    const table = loadNb201();
    const test10 = table.column('200', 'test', 'cifar10');
    const valid10 = table.column('200', 'valid', 'cifar10');
    const argmax = (c: Float64Array) => c.reduce((best, v, i) => (v > c[best] ? i : best), 0);
    expect(argmax(test10)).toBe(6111);
    expect(argmax(valid10)).toBe(6111);
    const best = table.lookupIndex(6111, 'cifar10');
    expect(best.test200).toBeCloseTo(94.37333, 4);
    expect(best.valid200).toBeCloseTo(91.60667, 4);
    expect(table.lookup(table.actionOf(6111), 'cifar10')).toEqual(best);
    expect(argmax(table.column('200', 'valid', 'cifar100'))).toBe(9930);
    expect(table.lookupIndex(9930, 'cifar100').test200).toBeCloseTo(73.51333, 4);
    expect(argmax(table.column('200', 'test', 'imagenet16'))).toBe(857);
    expect(table.lookupIndex(857, 'imagenet16').test200).toBeCloseTo(47.31111, 4);
    expect(table.lookupIndex(10676, 'imagenet16').valid200).toBeCloseTo(46.73333, 4);

    const none = table.lookup([0, 0, 0, 0, 0, 0], 'cifar10');
    expect(none.index).toBe(1651);
    expect(none.arch).toBe('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|');
    expect(none.test200).toBeCloseTo(10.0, 6);
    expect(none.valid200).toBeCloseTo(9.712, 3);
    expect(table.lookup([0, 0, 0, 0, 0, 0], 'cifar100').test200).toBeCloseTo(1.0, 6);
    expect(table.lookup([0, 0, 0, 0, 0, 0], 'imagenet16').test200).toBeCloseTo(0.833, 3);

    // The 12-epoch signal: maxima quoted in the README.
    expect(Math.max(...table.column('12', 'valid', 'cifar10'))).toBeCloseTo(84.89, 2);
    expect(Math.max(...table.column('12', 'test', 'cifar10'))).toBeCloseTo(89.16, 2);
  });

  it('maps every action vector to a distinct row and back', () => {
    const table = loadNb201();
    const indices = new Set<number>();
    for (const a of ALL_ACTIONS) {
      const i = table.indexOf(a);
      indices.add(i);
      expect(table.actionOf(i)).toEqual(a);
    }
    expect(indices.size).toBe(NB201_SIZE);
  });

  it('returns the dataset-specific signal', () => {
    const table = loadNb201();
    const a = table.actionOf(6111);
    expect(table.lookup(a, 'cifar10').signal).toBe(table.column('12', 'valid', 'cifar10')[6111]);
    expect(table.lookup(a, 'cifar100').signal).toBe(table.column('12', 'valid', 'cifar100')[6111]);
    expect(table.lookup(a, 'imagenet16').signal).toBe(table.column('12', 'valid', 'imagenet16')[6111]);
  });
});

describe.skipIf(!DATA)('searching the table', () => {
  const search = (agent: SearchAgent, budget: number, dataset: Nb201Dataset, onEvent?: (e: SearchEvent) => void) =>
    nb201Search(loadNb201(), dataset, () => agent, { budget, onEvent }).run();

  it('picks the best signal seen (first on ties) and counts repeats', async () => {
    const table = loadNb201();
    // A scripted strategy: the all-none cell, then 6111 twice, then a cell with a lower signal.
    const script = [[0, 0, 0, 0, 0, 0], table.actionOf(6111), table.actionOf(6111), [1, 1, 1, 1, 1, 1]];
    let k = 0;
    const told: number[] = [];
    const scripted: SearchAgent = {
      name: 'scripted',
      ask: async () => ({ action: script[k++] }),
      tell: async (_index, { signal }) => void told.push(signal),
      checkpoint: () => ({ k }),
    };
    const finished: SearchEvent[] = [];
    const run = await search(scripted, 4, 'cifar10', (e) => e.type === 'candidate_finished' && finished.push(e));
    expect(run.best?.hash).toBe('nb201:6111');
    expect(run.best?.index).toBe(1); // first seen at the 2nd evaluation
    expect(run.best?.evaluation.testAccuracy).toBeCloseTo(0.9437333, 6);
    expect(run).toMatchObject({ evaluations: 4, cacheHits: 1 }); // 3 distinct, 1 repeated
    expect(told).toEqual(script.map((a) => table.lookup(a, 'cifar10').signal / 100));
    expect(finished).toHaveLength(4);
  });

  it('is reproducible for a seeded strategy', async () => {
    const a = await search(new RandomSearch([5, 5, 5, 5, 5, 5], 7), 50, 'cifar100');
    const b = await search(new RandomSearch([5, 5, 5, 5, 5, 5], 7), 50, 'cifar100');
    expect(a).toEqual(b);
  });
});

describe('malformed data files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nb201-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A valid synthetic table: rows in base-5 order, accuracies derived from the row number. */
  const rows = (): string[] => ALL_ACTIONS.map((a, i) => [decodeArch(a), ...[1, 2, 3, 4, 5, 6].map((c) => ((i * c) % 1000) / 10)].join(','));
  const csv = (lines: string[]) => [NB201_HEADER, ...lines].join('\n') + '\n';
  async function write(final: string, short: string = csv(rows())): Promise<void> {
    await writeFile(join(dir, NB201_FILES.final), final);
    await writeFile(join(dir, NB201_FILES.short), short);
  }
  function loadError(): Nb201DataError {
    try {
      loadNb201(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(Nb201DataError);
      return err as Nb201DataError;
    }
    throw new Error('expected loadNb201 to throw');
  }
  const finalPath = () => join(dir, NB201_FILES.final);

  it('accepts a well-formed table (explicit directory and environment variable)', async () => {
    await write(csv(rows()));
    const table = loadNb201(dir);
    expect(table.dir).toBe(dir);
    expect(table.lookup([0, 0, 0, 0, 0, 1], 'cifar10').index).toBe(1);
    const previous = process.env[NB201_DIR_ENV];
    process.env[NB201_DIR_ENV] = dir;
    try {
      expect(resolveNb201Dir()).toBe(dir);
      expect(loadNb201()).toBe(table);
    } finally {
      if (previous === undefined) delete process.env[NB201_DIR_ENV];
      else process.env[NB201_DIR_ENV] = previous;
    }
  });

  it('names the file and line of a truncated file', async () => {
    await write(csv(rows().slice(0, 15_000)));
    const err = loadError();
    expect(err.file).toBe(finalPath());
    expect(err.line).toBe(15_001);
    expect(err.message).toContain(`${finalPath()}:15001`);
    expect(err.message).toMatch(/truncated: 15000 rows/);
  });

  it('names the file and line of a bad header', async () => {
    await write(csv(rows()).replace('cifar10_test', 'cifar10_tst'));
    expect(loadError()).toMatchObject({ file: finalPath(), line: 1 });
  });

  it.each([
    ['a non-number', (r: string[]) => (r[41] = r[41].replace(/,[^,]*$/, ',abc')), 43, /imagenet16_test is "abc"/],
    ['an empty field', (r: string[]) => (r[99] = r[99].replace(/,[^,]*,/, ',,')), 101, /cifar10_valid is ""/],
    ['an out-of-range accuracy', (r: string[]) => (r[7] = r[7].replace(/,[^,]*$/, ',101')), 9, /expected an accuracy in \[0, 100\]/],
    ['a missing field', (r: string[]) => (r[500] = r[500].replace(/,[^,]*$/, '')), 502, /expected 7 comma-separated fields, found 6/],
    ['a bad arch string', (r: string[]) => (r[3] = r[3].replace('~2|', '~3|')), 5, /not an NB201 arch string/],
    ['a duplicate arch', (r: string[]) => (r[10] = r[9]), 12, /duplicate arch .* \(first on line 11\)/],
  ])('names the file and line of %s', async (_what, corrupt, line, problem) => {
    const r = rows();
    corrupt(r);
    await write(csv(r));
    const err = loadError();
    expect(err).toMatchObject({ file: finalPath(), line });
    expect(err.problem).toMatch(problem);
    expect(err.message).toContain(`${finalPath()}:${line}: `);
  });

  it('names the line where the two files disagree on the row order', async () => {
    const r = rows();
    [r[20], r[21]] = [r[21], r[20]];
    await write(csv(rows()), csv(r));
    expect(loadError()).toMatchObject({ file: join(dir, NB201_FILES.short), line: 22 });
  });

  it('reports too many rows, an empty file and a missing file', async () => {
    await write(csv([...rows(), rows()[0]]));
    expect(loadError()).toMatchObject({ file: finalPath(), line: NB201_SIZE + 2 });
    await write('');
    expect(loadError()).toMatchObject({ file: finalPath(), line: 1 });
    await rm(finalPath());
    const err = loadError();
    expect(err).toMatchObject({ file: finalPath(), line: undefined });
    expect(err.message).toMatch(/file not found/);
  });

  it('accepts CRLF line endings and a missing final newline', async () => {
    await write(csv(rows()).replace(/\n/g, '\r\n').trimEnd());
    expect(loadNb201(dir).size).toBe(NB201_SIZE);
  });
});
