/**
 * What the launcher shows of a folder before a run: its classes with their image counts and a few
 * images of each, decoded as the network will see them (size and channels), as PNG data URLs.
 * Only the samples are decoded, so a large folder previews in a moment. TensorFlow-free: main runs it.
 */
import { join } from 'node:path';
import type { FolderImage } from '../../../shared/run-config';
import type { FolderPreview, FolderSample } from '../../../shared/folder-preview';
import { firstLine, imagePipeline } from './decode';
import { scanImageFolder, type FolderImageFile } from './scan';

export async function previewImageFolder(dir: string, image: FolderImage, samplesPerClass: number): Promise<FolderPreview> {
  const scan = await scanImageFolder(dir);
  const classes = await Promise.all(
    scan.classes.map(async ({ name, files }) => ({
      name,
      count: files.length,
      samples: await Promise.all(spread(files, samplesPerClass).map((file) => sample(scan.root, file, image))),
    })),
  );
  return { dir: scan.root, image, classes, total: classes.reduce((n, c) => n + c.count, 0), emptyFolders: scan.emptyFolders };
}

/** `n` files spread over the class (first, last and between), so the samples are not all alike by name. */
function spread(files: readonly FolderImageFile[], n: number): FolderImageFile[] {
  if (files.length <= n) return [...files];
  return Array.from({ length: n }, (_, i) => files[Math.round((i * (files.length - 1)) / Math.max(1, n - 1))]);
}

async function sample(root: string, file: FolderImageFile, image: FolderImage): Promise<FolderSample> {
  try {
    const png = await (await imagePipeline(join(root, file.path), image)).png().toBuffer();
    return { path: file.path, dataUrl: `data:image/png;base64,${png.toString('base64')}` };
  } catch (error) {
    return { path: file.path, error: firstLine(error) };
  }
}
