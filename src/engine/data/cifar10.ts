/**
 * CIFAR-10, "binary version" (cifar-10-binary.tar.gz, extracted). Each record is 1 label byte then
 * 3072 pixel bytes stored planar (1024 R, 1024 G, 1024 B, each 32×32 row-major); we convert to
 * interleaved NHWC because that is what every other dataset and the models use.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeFsError } from './idx';
import { DatasetError, type Dataset, type Split } from './types';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';
/** The directory the official archive extracts to. */
export const CIFAR10_SUBDIR = 'cifar-10-batches-bin';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = PLANE * 3;
const RECORD = 1 + PIXELS;
const SCALE = new Float32Array(256).map((_, i) => i / 255);

/**
 * Whether `dir` (or its cifar-10-batches-bin/) holds the six batch files, each a whole number of
 * records, from their sizes alone: what a launch checks before any run exists.
 */
export async function checkCifar10(dir: string): Promise<void> {
  const root = await resolveRoot(resolve(dir));
  for (const file of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].map((f) => join(root, f))) {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (err) {
      throw new DatasetError(file, describeFsError(err));
    }
    checkBatchSize(size, file);
  }
}

export async function loadCifar10(dir: string): Promise<Dataset> {
  const root = await resolveRoot(resolve(dir));
  const [trainFiles, testFile] = await Promise.all([
    Promise.all(CIFAR10_TRAIN_FILES.map((f) => readBatchFile(join(root, f)))),
    readBatchFile(join(root, CIFAR10_TEST_FILE)),
  ]);
  return {
    name: 'cifar10',
    inputShape: [SIDE, SIDE, 3],
    numClasses: CIFAR10_CLASSES.length,
    classNames: [...CIFAR10_CLASSES],
    source: root,
    train: decodeBatches(trainFiles),
    test: decodeBatches([testFile]),
  };
}

/** Accepts either the batch files themselves or the directory the archive was extracted into. */
async function resolveRoot(dir: string): Promise<string> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new DatasetError(dir, 'not a directory');
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(dir, `directory not found (expected the extracted CIFAR-10 binary version, ${CIFAR10_SUBDIR})`);
  }
  for (const candidate of [dir, join(dir, CIFAR10_SUBDIR)]) {
    if (await isFile(join(candidate, CIFAR10_TRAIN_FILES[0]))) return candidate;
  }
  throw new DatasetError(
    join(dir, CIFAR10_TRAIN_FILES[0]),
    `not found (nor in ${join(dir, CIFAR10_SUBDIR)}); expected the CIFAR-10 binary version: ${CIFAR10_TRAIN_FILES.join(', ')}, ${CIFAR10_TEST_FILE}`,
  );
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

interface BatchFile {
  file: string;
  bytes: Uint8Array;
}

async function readBatchFile(file: string): Promise<BatchFile> {
  try {
    return { file, bytes: await readFile(file) };
  } catch (err) {
    throw new DatasetError(file, describeFsError(err));
  }
}

/** Parses one batch file's bytes (validated: size, labels) into NHWC floats in [0, 1]. */
export function parseCifar10Batch(bytes: Uint8Array, file: string): Split {
  return decodeBatches([{ file, bytes }]);
}

function checkBatchSize(size: number, file: string): void {
  if (size === 0) throw new DatasetError(file, 'empty file');
  if (size % RECORD !== 0) throw new DatasetError(file, `truncated/corrupt: size ${size} is not a multiple of ${RECORD}`);
}

/** Validates every file before allocating, then decodes straight into one array (no concat copy). */
function decodeBatches(files: BatchFile[]): Split {
  let count = 0;
  for (const { file, bytes } of files) {
    checkBatchSize(bytes.length, file);
    count += bytes.length / RECORD;
  }
  const x = new Float32Array(count * PIXELS);
  const y = new Uint8Array(count);
  let n = 0;
  for (const { file, bytes } of files) {
    const records = bytes.length / RECORD;
    for (let r = 0; r < records; r++, n++) {
      const at = r * RECORD;
      const label = bytes[at];
      if (label >= CIFAR10_CLASSES.length) {
        throw new DatasetError(file, `label ${label} of record ${r} is out of range 0…${CIFAR10_CLASSES.length - 1}`);
      }
      y[n] = label;
      const red = at + 1;
      const out = n * PIXELS;
      for (let p = 0; p < PLANE; p++) {
        const o = out + p * 3;
        x[o] = SCALE[bytes[red + p]];
        x[o + 1] = SCALE[bytes[red + PLANE + p]];
        x[o + 2] = SCALE[bytes[red + 2 * PLANE + p]];
      }
    }
  }
  return { x, y, count };
}
