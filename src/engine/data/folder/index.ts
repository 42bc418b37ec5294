/**
 * The user's own images as a Dataset: a folder with one subfolder per class. The images are
 * decoded once (cache.ts) and split into training and test sets by their paths: in each class, the
 * images whose path hashes lowest are the test set (a tenth), so the test set does not depend on
 * the run's seed, and adding images moves few others. prepareData then draws the validation set
 * from the training set with the run's seed, as for every dataset.
 */
import { createHash } from 'node:crypto';
import type { FolderImage } from '../../../shared/run-config';
import { DatasetError, type Dataset, type Split } from '../types';
import { cacheFile, defaultCacheDir, folderCacheKey, readCachedPixels, writeCachedPixels } from './cache';
import { decodeImages, loadSharp } from './decode';
import { scanImageFolder, type FolderScan } from './scan';

/** The share of each class held out as the test set (none for a class of fewer than five images). */
export const FOLDER_TEST_FRACTION = 0.1;

export interface FolderDatasetOptions {
  dir: string;
  image: FolderImage;
  /** Where decoded folders are kept (defaultCacheDir()). */
  cacheDir?: string;
}

export interface LoadedFolder {
  dataset: Dataset;
  /** Whether the pixels came from the cache (false: decoded now, and cached). */
  cached: boolean;
  cacheFile: string;
}

/** Decodes the folder (or reads it from the cache) and splits it; every unreadable image is named in the error. */
export async function loadImageFolder(options: FolderDatasetOptions): Promise<LoadedFolder> {
  const scan = await scanImageFolder(options.dir);
  const { pixels, cached, file } = await decodedPixels(scan, options);
  return { dataset: splitFolder(scan, options.image, pixels), cached, cacheFile: file };
}

/** The number of classes; decodes the folder into the cache, so an unreadable image refuses a launch rather than failing a run. */
export async function checkImageFolder(options: FolderDatasetOptions): Promise<{ numClasses: number }> {
  const scan = await scanImageFolder(options.dir);
  await decodedPixels(scan, options);
  return { numClasses: scan.classes.length };
}

async function decodedPixels(scan: FolderScan, options: FolderDatasetOptions): Promise<{ pixels: Uint8Array; cached: boolean; file: string }> {
  const sharp = await loadSharp().catch((error: Error) => {
    throw new DatasetError(scan.root, `cannot decode images here: the sharp module does not load (${error.message.split('\n')[0]})`);
  });
  const key = folderCacheKey(scan, options.image, `sharp ${sharp.versions.sharp} vips ${sharp.versions.vips}`);
  const file = cacheFile(options.cacheDir ?? defaultCacheDir(), key);
  const paths = scan.classes.flatMap((c) => c.files.map((f) => f.path));
  const bytesPerImage = options.image.size * options.image.size * options.image.channels;
  const hit = await readCachedPixels(file, key, paths.length, bytesPerImage);
  if (hit) return { pixels: hit, cached: true, file };
  const pixels = await decodeImages(scan.root, paths, options.image);
  // A cache that cannot be written (read-only, full) costs a decode next time, nothing more.
  await writeCachedPixels(file, key, paths.length, bytesPerImage, pixels).catch(() => undefined);
  return { pixels, cached: false, file };
}

/** Which of a class's images are its test set: the lowest hashes of their paths. */
export function testImages(paths: readonly string[]): Set<string> {
  const take = paths.length < 5 ? 0 : Math.max(1, Math.round(paths.length * FOLDER_TEST_FRACTION));
  const hash = (p: string) => createHash('sha256').update(p).digest('hex');
  return new Set(
    paths
      .map((p) => ({ p, h: hash(p) }))
      .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
      .slice(0, take)
      .map(({ p }) => p),
  );
}

const SCALE = new Float32Array(256).map((_, i) => i / 255);

/**
 * What the folder holds, independent of where and when its files were written: its classes, their
 * images' paths and the decoded pixels. Part of the dataset's source, so a run's settings key (and
 * the cross-run cache) follows the images, and a worker on another machine with a copy of the
 * folder agrees with the coordinator.
 */
function contentHash(scan: FolderScan, pixels: Uint8Array): string {
  const hash = createHash('sha256');
  for (const { name, files } of scan.classes) hash.update(`${name}\n${files.map((f) => f.path).join('\n')}\n\n`);
  return hash.update(pixels).digest('hex').slice(0, 16);
}

function splitFolder(scan: FolderScan, image: FolderImage, pixels: Uint8Array): Dataset {
  const size = image.size * image.size * image.channels;
  const train: Array<{ at: number; label: number }> = [];
  const test: Array<{ at: number; label: number }> = [];
  let at = 0;
  scan.classes.forEach(({ files }, label) => {
    const held = testImages(files.map((f) => f.path));
    for (const f of files) (held.has(f.path) ? test : train).push({ at: at++, label });
  });
  const toSplit = (items: typeof train): Split => {
    const x = new Float32Array(items.length * size);
    const y = new Uint8Array(items.length);
    items.forEach(({ at: from, label }, n) => {
      y[n] = label;
      const src = from * size;
      const out = n * size;
      for (let i = 0; i < size; i++) x[out + i] = SCALE[pixels[src + i]];
    });
    return { x, y, count: items.length };
  };
  return {
    name: 'folder',
    inputShape: [image.size, image.size, image.channels],
    numClasses: scan.classes.length,
    classNames: scan.classes.map((c) => c.name),
    source: `${scan.root}#${contentHash(scan, pixels)}`,
    train: toSplit(train),
    test: toSplit(test),
  };
}

export { scanImageFolder, classCounts, FOLDER_LAYOUT, IMAGE_EXTENSIONS, type FolderScan } from './scan';
export { UnreadableImagesError } from './decode';
export { CACHE_DIR_ENV, defaultCacheDir } from './cache';
