/**
 * A folder dataset written by the tests: one subfolder per class of small PNG and JPEG images that
 * a network can tell apart (each class its own colour and stripe direction, with a little noise).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export interface ImageFolderOptions {
  classes?: readonly string[];
  perClass?: number;
  /** Side of the written images (they are resized when decoded). */
  side?: number;
  /** Every other image is a JPEG when true (the rest PNG). */
  mixFormats?: boolean;
}

const COLOURS: Array<[number, number, number]> = [
  [220, 40, 40],
  [40, 200, 60],
  [50, 70, 230],
  [230, 200, 40],
];

/** Raw RGB pixels of one image of class `c`: its colour on stripes whose direction is the class's. */
export function classPixels(c: number, n: number, side: number): Buffer {
  const [r, g, b] = COLOURS[c % COLOURS.length];
  const pixels = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const on = (c % 2 === 0 ? y : x) % 4 < 2;
      const noise = ((x * 7 + y * 13 + n * 31) % 17) - 8;
      const k = on ? 1 : 0.3;
      const at = (y * side + x) * 3;
      pixels[at] = clamp(r * k + noise);
      pixels[at + 1] = clamp(g * k + noise);
      pixels[at + 2] = clamp(b * k + noise);
    }
  }
  return pixels;
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** Writes the folder; returns the files written per class. */
export async function writeImageFolder(root: string, options: ImageFolderOptions = {}): Promise<Record<string, string[]>> {
  const classes = options.classes ?? ['circle', 'square', 'triangle'];
  const perClass = options.perClass ?? 12;
  const side = options.side ?? 20;
  const written: Record<string, string[]> = {};
  for (const [c, name] of classes.entries()) {
    await mkdir(join(root, name), { recursive: true });
    written[name] = [];
    for (let n = 0; n < perClass; n++) {
      const jpeg = options.mixFormats !== false && n % 2 === 1;
      const file = join(root, name, `${name}-${String(n).padStart(3, '0')}.${jpeg ? 'jpg' : 'png'}`);
      const image = sharp(classPixels(c, n, side), { raw: { width: side, height: side, channels: 3 } });
      await writeFile(file, await (jpeg ? image.jpeg({ quality: 95 }) : image.png()).toBuffer());
      written[name].push(file);
    }
  }
  return written;
}
