/**
 * IDX files (the MNIST / Fashion-MNIST container): a 4-byte magic, big-endian uint32 dimensions,
 * then raw unsigned bytes. Files may be gzipped; we detect that by content (1f 8b), not by name,
 * because distributions ship both and people gunzip files without renaming them.
 */
import { open, readFile } from 'node:fs/promises';
import { constants, gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { DatasetError } from './types';

const gunzipAsync = promisify(gunzip);

/** Unsigned-byte 3-D tensor: count × rows × cols. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Unsigned-byte 1-D tensor: count. */
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, row-major; a view into the file buffer (no copy). */
  pixels: Uint8Array;
}

export interface IdxLabels {
  count: number;
  /** A view into the file buffer (no copy). */
  labels: Uint8Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a file and gunzips it when it starts with the gzip magic. Async gunzip runs on libuv's
 * thread pool, so several files decompress in parallel.
 */
export async function readMaybeGzipped(file: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new DatasetError(file, describeFsError(err));
  }
  if (!isGzip(raw)) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (err) {
    throw new DatasetError(file, `not a valid gzip stream: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be read: ${err instanceof Error ? err.message : String(err)}`;
}

/** What an IDX header says: the item count, and for images their size. */
export interface IdxHeader {
  count: number;
  rows?: number;
  cols?: number;
}

/** Parses the header of an image or label file (its first 16 or 8 bytes suffice). */
export function parseIdxHeader(bytes: Uint8Array, file: string, kind: 'images' | 'labels'): IdxHeader {
  if (kind === 'labels') return { count: header(bytes, file, IDX_LABELS_MAGIC, 'a label file', 1).getUint32(4) };
  const view = header(bytes, file, IDX_IMAGES_MAGIC, 'an image file', 3);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows === 0 || cols === 0) {
    throw new DatasetError(file, `invalid dimensions: ${count} images of ${rows}×${cols}`);
  }
  return { count, rows, cols };
}

export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const { count, rows = 0, cols = 0 } = parseIdxHeader(bytes, file, 'images');
  const headerBytes = 16;
  checkLength(bytes, file, headerBytes + count * rows * cols, 'image data', `${count}×${rows}×${cols}`);
  return { count, rows, cols, pixels: bytes.subarray(headerBytes) };
}

export function parseIdxLabels(bytes: Uint8Array, file: string): IdxLabels {
  const { count } = parseIdxHeader(bytes, file, 'labels');
  const headerBytes = 8;
  checkLength(bytes, file, headerBytes + count, 'label data', `${count} labels`);
  return { count, labels: bytes.subarray(headerBytes) };
}

/** An IDX file's header alone, gzipped or not, without reading (or unpacking) the rest: for checks before a run. */
export async function readIdxHeader(file: string, kind: 'images' | 'labels'): Promise<IdxHeader> {
  let start: Uint8Array;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      start = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new DatasetError(file, describeFsError(err));
  }
  if (isGzip(start)) {
    try {
      // A sync flush at the end accepts the start of a stream: what it holds unpacks, the rest is not needed.
      start = gunzipSync(start, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch (err) {
      throw new DatasetError(file, `not a valid gzip stream: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return parseIdxHeader(start, file, kind);
}

export async function readIdxImages(file: string): Promise<IdxImages> {
  return parseIdxImages(await readMaybeGzipped(file), file);
}

export async function readIdxLabels(file: string): Promise<IdxLabels> {
  return parseIdxLabels(await readMaybeGzipped(file), file);
}

/** Checks the magic, and that the header itself is complete; returns a big-endian view. */
function header(bytes: Uint8Array, file: string, magic: number, kind: string, dims: number): DataView {
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < 4) {
    throw new DatasetError(file, `truncated: expected at least ${headerBytes} header bytes, found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new DatasetError(file, `wrong magic ${hex32(found)}, expected ${hex32(magic)} (${kind})`);
  }
  if (bytes.length < headerBytes) {
    throw new DatasetError(file, `truncated: expected at least ${headerBytes} header bytes, found ${bytes.length}`);
  }
  return view;
}

/** Exact length: a short file is truncated; a long one means the header lies about the shape. */
function checkLength(bytes: Uint8Array, file: string, expected: number, what: string, shape: string): void {
  if (bytes.length < expected) {
    throw new DatasetError(file, `truncated: expected ${expected} bytes of ${what} (${shape}), found ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      file,
      `corrupt: expected ${expected} bytes of ${what} (${shape}), found ${bytes.length} (${bytes.length - expected} extra)`,
    );
  }
}

function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
