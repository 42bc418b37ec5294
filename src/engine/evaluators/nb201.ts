/**
 * NAS-Bench-201 (NATS-Bench "tss") as a lookup table: every one of the 15,625 cells with its
 * 12-epoch accuracies (the cheap search signal) and 200-epoch accuracies (for reporting).
 * Data: ../shared/benchmarks/nasbench201 (see its README): two CSVs, row i = NB201 index i.
 *
 * A cell is encoded as a MultiDiscrete([5,5,5,5,5,5]) action vector: one op per edge, edges in the
 * order they appear in the NB201 arch string (1←0, 2←0, 2←1, 3←0, 3←1, 3←2), ops numbered as in
 * NB201_OPS. The row of a cell is found through a Map from arch string (no index formula assumed).
 */
import { NB201_EDGES, NB201_OPS } from '../../shared/nb201';
import { NB201_DATASET_NAMES } from '../../shared/run-config';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { NB201_EDGES, NB201_OPS, type Nb201Op } from '../../shared/nb201';

/** The action space: 6 edges × 5 ops. */
export const NB201_NVEC: readonly number[] = [5, 5, 5, 5, 5, 5];
export const NB201_SIZE = 15_625;
export const NB201_FILES = { final: 'nb201_200ep.csv', short: 'nb201_12ep.csv' } as const;
export const NB201_HEADER = 'arch,cifar10_valid,cifar10_test,cifar100_valid,cifar100_test,imagenet16_valid,imagenet16_test';
export const NB201_DATASETS = NB201_DATASET_NAMES;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];
/** Environment variable that overrides the default data directory. */
export const NB201_DIR_ENV = 'GENNERATOR_NB201_DIR';

/** A problem with an NB201 data file; `line` is 1-based (the header is line 1), or absent for whole-file problems. */
export class Nb201DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
    this.name = 'Nb201DataError';
  }
}

/** What one lookup returns. Accuracies are top-1 percent. */
export interface Nb201Result {
  /** The search signal: 12-epoch validation accuracy on the dataset (cifar10: the cifar10-valid split). */
  signal: number;
  /** 200-epoch validation accuracy. */
  valid200: number;
  /** 200-epoch test accuracy: what is reported for the chosen architecture. */
  test200: number;
  /** NB201 / NATS-Bench tss index (= row in the CSVs). */
  index: number;
  arch: string;
}

const OP_INDEX = new Map<string, number>(NB201_OPS.map((op, i) => [op, i]));
const ARCH_PATTERN = /^\|([a-z0-9_]+)~0\|\+\|([a-z0-9_]+)~0\|([a-z0-9_]+)~1\|\+\|([a-z0-9_]+)~0\|([a-z0-9_]+)~1\|([a-z0-9_]+)~2\|$/;

/** Arch string → action vector; throws on anything that is not a well-formed NB201 cell string. */
export function encodeArch(arch: string): number[] {
  const m = ARCH_PATTERN.exec(arch);
  if (!m) throw new Error(`not an NB201 arch string: ${JSON.stringify(arch)}`);
  return m.slice(1).map((op) => {
    const i = OP_INDEX.get(op);
    if (i === undefined) throw new Error(`unknown NB201 op ${JSON.stringify(op)} in ${JSON.stringify(arch)}`);
    return i;
  });
}

/** Action vector → arch string; throws unless it is 6 integers in [0, 5). */
export function decodeArch(action: readonly number[]): string {
  checkAction(action);
  const op = (e: number) => `${NB201_OPS[action[e]]}~${NB201_EDGES[e][1]}`;
  return `|${op(0)}|+|${op(1)}|${op(2)}|+|${op(3)}|${op(4)}|${op(5)}|`;
}

function checkAction(action: readonly number[]): void {
  if (action.length !== NB201_NVEC.length || !action.every((a, i) => Number.isInteger(a) && a >= 0 && a < NB201_NVEC[i])) {
    throw new Error(`not an NB201 action vector (6 integers in 0…4): ${JSON.stringify(action)}`);
  }
}

interface Columns {
  valid: Record<Nb201Dataset, Float64Array>;
  test: Record<Nb201Dataset, Float64Array>;
}

/** Both tables, indexed by NB201 index. */
export class Nb201Table {
  private readonly byArch: Map<string, number>;

  constructor(
    /** Where the CSVs were read from. */
    readonly dir: string,
    /** arch string of each index. */
    readonly archs: readonly string[],
    private readonly final: Columns,
    private readonly short: Columns,
  ) {
    this.byArch = new Map(archs.map((a, i) => [a, i]));
  }

  get size(): number {
    return this.archs.length;
  }

  /** The NB201 index of an action vector. */
  indexOf(action: readonly number[]): number {
    const index = this.byArch.get(decodeArch(action));
    if (index === undefined) throw new Error(`arch ${decodeArch(action)} is not in the table`);
    return index;
  }

  /** The action vector of an NB201 index. */
  actionOf(index: number): number[] {
    return encodeArch(this.archAt(index));
  }

  lookup(action: readonly number[], dataset: Nb201Dataset): Nb201Result {
    return this.lookupIndex(this.indexOf(action), dataset);
  }

  lookupIndex(index: number, dataset: Nb201Dataset): Nb201Result {
    const arch = this.archAt(index);
    if (!NB201_DATASETS.includes(dataset)) throw new Error(`unknown NB201 dataset ${JSON.stringify(dataset)} (expected ${NB201_DATASETS.join(', ')})`);
    return {
      signal: this.short.valid[dataset][index],
      valid200: this.final.valid[dataset][index],
      test200: this.final.test[dataset][index],
      index,
      arch,
    };
  }

  /** A raw column, e.g. column('200', 'test', 'cifar10') for all 15,625 200-epoch test accuracies. */
  column(epochs: '12' | '200', split: 'valid' | 'test', dataset: Nb201Dataset): Float64Array {
    return (epochs === '12' ? this.short : this.final)[split][dataset];
  }

  private archAt(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.archs.length) throw new Error(`NB201 index out of range: ${index}`);
    return this.archs[index];
  }
}

/**
 * The data directory: `dir` if given, else $GENNERATOR_NB201_DIR, else the first existing of
 * <repo>/../shared/benchmarks/nasbench201, <repo>/shared/benchmarks/nasbench201 and the same two
 * relative to the working directory (<repo> is located from this module's path).
 */
export function resolveNb201Dir(dir?: string): string {
  if (dir) return resolve(dir);
  const fromEnv = process.env[NB201_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  const roots: string[] = [];
  try {
    roots.push(fileURLToPath(new URL('../../../', import.meta.url)));
  } catch {
    // Not loaded from a file URL (bundled); fall back to the working directory.
  }
  roots.push(process.cwd());
  const candidates = roots.flatMap((r) => [resolve(r, '../shared/benchmarks/nasbench201'), resolve(r, 'shared/benchmarks/nasbench201')]);
  const found = candidates.find((c) => existsSync(join(c, NB201_FILES.final)) && existsSync(join(c, NB201_FILES.short)));
  if (!found) {
    throw new Nb201DataError(candidates[0], undefined, `NAS-Bench-201 data not found (looked in ${candidates.join(', ')}); set ${NB201_DIR_ENV} or pass a directory`);
  }
  return found;
}

const cache = new Map<string, Nb201Table>();

/** Loads and validates both CSVs (synchronously, ~0.1 s); cached per directory for the process. */
export function loadNb201(dir?: string): Nb201Table {
  const root = resolveNb201Dir(dir);
  const cached = cache.get(root);
  if (cached) return cached;
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Nb201DataError(root, undefined, 'NAS-Bench-201 data directory not found');
  const finalFile = join(root, NB201_FILES.final);
  const shortFile = join(root, NB201_FILES.short);
  const final = parseNb201Csv(readText(finalFile), finalFile);
  const short = parseNb201Csv(readText(shortFile), shortFile);
  for (let i = 0; i < NB201_SIZE; i++) {
    if (final.archs[i] !== short.archs[i]) {
      throw new Nb201DataError(shortFile, i + 2, `arch ${short.archs[i]} differs from ${finalFile} line ${i + 2} (${final.archs[i]}); rows must be in NB201 index order in both files`);
    }
  }
  const table = new Nb201Table(root, final.archs, final.columns, short.columns);
  cache.set(root, table);
  return table;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Nb201DataError(file, undefined, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`);
  }
}

/**
 * Parses and validates one CSV: the exact header, then exactly NB201_SIZE rows of a well-formed,
 * unique arch string and six accuracies in [0, 100]. `file` only names the file in errors.
 */
export function parseNb201Csv(text: string, file: string): { archs: string[]; columns: Columns } {
  const lines = text.split('\n');
  // One trailing newline is allowed; a missing one too.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const strip = (s: string) => (s.endsWith('\r') ? s.slice(0, -1) : s);
  if (lines.length === 0) throw new Nb201DataError(file, 1, 'empty file (expected the header)');
  const header = strip(lines[0]).replace(/^\uFEFF/, '');
  if (header !== NB201_HEADER) throw new Nb201DataError(file, 1, `unexpected header ${JSON.stringify(header)} (expected ${JSON.stringify(NB201_HEADER)})`);
  const rows = lines.length - 1;
  if (rows < NB201_SIZE) throw new Nb201DataError(file, lines.length, `truncated: ${rows} rows after the header, expected ${NB201_SIZE}`);
  if (rows > NB201_SIZE) throw new Nb201DataError(file, NB201_SIZE + 2, `too many rows: ${rows} after the header, expected ${NB201_SIZE}`);
  const col = () => ({ cifar10: new Float64Array(NB201_SIZE), cifar100: new Float64Array(NB201_SIZE), imagenet16: new Float64Array(NB201_SIZE) });
  const columns: Columns = { valid: col(), test: col() };
  const targets = [columns.valid.cifar10, columns.test.cifar10, columns.valid.cifar100, columns.test.cifar100, columns.valid.imagenet16, columns.test.imagenet16];
  const names = NB201_HEADER.split(',');
  const archs: string[] = new Array(NB201_SIZE);
  const seen = new Map<string, number>();
  for (let i = 0; i < NB201_SIZE; i++) {
    const lineNo = i + 2;
    const fields = strip(lines[i + 1]).split(',');
    if (fields.length !== 7) throw new Nb201DataError(file, lineNo, `expected 7 comma-separated fields, found ${fields.length}`);
    const arch = fields[0];
    try {
      encodeArch(arch);
    } catch (err) {
      throw new Nb201DataError(file, lineNo, (err as Error).message);
    }
    const previous = seen.get(arch);
    if (previous !== undefined) throw new Nb201DataError(file, lineNo, `duplicate arch ${arch} (first on line ${previous})`);
    seen.set(arch, lineNo);
    archs[i] = arch;
    for (let c = 0; c < 6; c++) {
      const s = fields[c + 1];
      const v = Number(s);
      if (s.trim() === '' || !Number.isFinite(v) || v < 0 || v > 100) {
        throw new Nb201DataError(file, lineNo, `${names[c + 1]} is ${JSON.stringify(s)}, expected an accuracy in [0, 100]`);
      }
      targets[c][i] = v;
    }
  }
  return { archs, columns };
}
