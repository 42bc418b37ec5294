/**
 * Decoding a folder's images with sharp (libvips; prebuilt binaries from the npm registry as
 * @img/sharp-* packages). Each image is turned upright by its EXIF orientation, composited on
 * black if it has transparency, stretched to size × size (as Keras's image_dataset_from_directory
 * does: no crop, every pixel kept) and converted to grayscale or RGB. sharp is loaded on first
 * use, so nothing that never decodes a folder pays for it.
 */
import { join } from 'node:path';
import type { FolderImage } from '../../../shared/run-config';
import { DatasetError } from '../types';

type Sharp = typeof import('sharp').default;
let sharpModule: Promise<Sharp> | undefined;

export function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
}

/** A file that could not be decoded, and sharp's first line on why. */
export interface UnreadableImage {
  path: string;
  reason: string;
}

/** Shown in full up to this many; the rest are counted. */
const LISTED_UNREADABLE = 3;

/** Images that could not be decoded: every one is named (the first few in the message), none is skipped. */
export class UnreadableImagesError extends DatasetError {
  constructor(
    root: string,
    readonly images: readonly UnreadableImage[],
  ) {
    const [first, ...rest] = images;
    const more = rest.length === 0 ? '' : `; also unreadable: ${rest.slice(0, LISTED_UNREADABLE - 1).map((i) => i.path).join(', ')}${rest.length >= LISTED_UNREADABLE ? ` and ${rest.length - LISTED_UNREADABLE + 1} more` : ''}`;
    super(join(root, first.path), `unreadable image (${first.reason})${more}; fix or remove ${images.length === 1 ? 'it' : 'them'}`);
    this.name = 'UnreadableImagesError';
  }
}

/** sharp's messages can span lines (libvips adds its own): the first is the one that says what happened. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim() || 'unknown error';
}

/** The image as the network sees it (the previews encode it as PNG, training takes its raw pixels). */
export async function imagePipeline(file: string, image: FolderImage) {
  const sharp = await loadSharp();
  // failOn 'warning' (sharp's default), so a truncated JPEG is refused rather than half-grey.
  const pipeline = sharp(file, { failOn: 'warning' }).autoOrient().resize(image.size, image.size, { fit: 'fill' }).flatten({ background: '#000000' });
  return pipeline.toColourspace(image.channels === 1 ? 'b-w' : 'srgb');
}

/** One image as size × size × channels bytes, row-major (HWC). */
export async function decodeImage(file: string, image: FolderImage): Promise<Uint8Array> {
  const { data, info } = await (await imagePipeline(file, image)).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== image.channels || data.length !== image.size * image.size * image.channels) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${image.size}×${image.size}×${image.channels}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** Images decoded at once: enough to keep libvips' threads busy without holding many files in memory. */
const IN_FLIGHT = 16;

/**
 * Decodes `paths` (relative to `root`) into one array, in their order; every file is tried, and
 * those that fail are reported together (UnreadableImagesError).
 */
export async function decodeImages(root: string, paths: readonly string[], image: FolderImage, onProgress?: (done: number) => void): Promise<Uint8Array> {
  const size = image.size * image.size * image.channels;
  const pixels = new Uint8Array(paths.length * size);
  const unreadable: UnreadableImage[] = [];
  let next = 0;
  let done = 0;
  const work = async () => {
    for (let i = next++; i < paths.length; i = next++) {
      try {
        pixels.set(await decodeImage(join(root, paths[i]), image), i * size);
      } catch (error) {
        unreadable.push({ path: paths[i], reason: firstLine(error) });
      }
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, paths.length) }, work));
  if (unreadable.length > 0) throw new UnreadableImagesError(root, unreadable.sort((a, b) => (a.path < b.path ? -1 : 1)));
  return pixels;
}
