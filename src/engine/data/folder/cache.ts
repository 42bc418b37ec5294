/**
 * Decoded folders are kept as one file of raw pixels, named by a key of everything that decides
 * them: each image's path, size and modification time, the image options, and the decoder's
 * version. A folder whose files change gets a new key and is decoded again; the old file stays
 * until the cache directory is cleared (it is only a cache: deleting it is always safe).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FolderImage } from '../../../shared/run-config';
import type { FolderScan } from './scan';

/** Bump when decoding changes (resize, colour handling…), so older cache files are not read. */
const DECODE_VERSION = 1;
const MAGIC = 'GNFOLDR1';
/** Magic, then the key's 32 bytes of hex, then the image count and the bytes per image. */
const HEADER_BYTES = MAGIC.length + 64 + 8;

export const CACHE_DIR_ENV = 'GENNERATOR_CACHE_DIR';

/** GENNERATOR_CACHE_DIR; or cache/datasets/ in GENNERATOR_HOME when that is set; or the platform's cache directory (~/.cache/gennerator/datasets on Linux). */
export function defaultCacheDir(): string {
  const fromEnv = process.env[CACHE_DIR_ENV];
  if (fromEnv) return fromEnv;
  if (process.env.GENNERATOR_HOME) return join(process.env.GENNERATOR_HOME, 'cache', 'datasets');
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'gennerator', 'cache', 'datasets');
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches', 'gennerator', 'datasets');
  return join(process.env.XDG_CACHE_HOME ?? join(home, '.cache'), 'gennerator', 'datasets');
}

/** 64 hex digits naming the decoded folder: its files' paths, sizes and times, the options and the decoder. */
export function folderCacheKey(scan: FolderScan, image: FolderImage, decoder: string): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ version: DECODE_VERSION, decoder, root: scan.root, size: image.size, channels: image.channels }));
  for (const { name, files } of scan.classes) {
    hash.update(`\n${name}`);
    for (const f of files) hash.update(`\n${f.path}\t${f.size}\t${f.mtimeMs}`);
  }
  return hash.digest('hex');
}

export function cacheFile(cacheDir: string, key: string): string {
  return join(cacheDir, `folder-${key}.bin`);
}

/** The cached pixels, or undefined when there is no such file or it is not whole (then it is decoded again). */
export async function readCachedPixels(file: string, key: string, count: number, bytesPerImage: number): Promise<Uint8Array | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  const header = bytes.subarray(0, HEADER_BYTES);
  if (bytes.length !== HEADER_BYTES + count * bytesPerImage) return undefined;
  if (header.toString('latin1', 0, MAGIC.length + 64) !== MAGIC + key) return undefined;
  if (header.readUInt32LE(MAGIC.length + 64) !== count || header.readUInt32LE(MAGIC.length + 68) !== bytesPerImage) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES, count * bytesPerImage);
}

/** Written beside its final name, then renamed: a reader never sees half a file, and two writers never mix. */
export async function writeCachedPixels(file: string, key: string, count: number, bytesPerImage: number, pixels: Uint8Array): Promise<void> {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC + key, 0, 'latin1');
  header.writeUInt32LE(count, MAGIC.length + 64);
  header.writeUInt32LE(bytesPerImage, MAGIC.length + 68);
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true });
  const partial = `${file}.${process.pid}.${Date.now()}.partial`;
  await writeFile(partial, Buffer.concat([header, pixels]));
  await rename(partial, file);
}
