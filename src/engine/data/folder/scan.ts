/**
 * A folder dataset's layout, from the file system alone (no image is opened): one subfolder per
 * class, named after it, holding PNG or JPEG files (in nested folders too). Everything is sorted,
 * so the same folder always lists the same classes and files in the same order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { describeFsError } from '../idx';
import { DatasetError } from '../types';

/** Files taken as images, by extension (case-insensitive); anything else in the folder is left alone. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;
/** Labels are bytes. */
export const MAX_FOLDER_CLASSES = 256;
export const FOLDER_LAYOUT = 'a directory with one subfolder of PNG/JPEG images per class';

export interface FolderImageFile {
  /** Relative to the folder, with '/' separators: stable across machines, so it can key the split. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface FolderClass {
  name: string;
  files: FolderImageFile[];
}

export interface FolderScan {
  root: string;
  /** Classes with at least one image, by name; their index is the label. */
  classes: FolderClass[];
  /** Subfolders without any image (not classes). */
  emptyFolders: string[];
}

const isImage = (name: string) => IMAGE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));
const isHidden = (name: string) => name.startsWith('.');
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The folder's classes and image files; a DatasetError when it is missing, unreadable or has fewer than two classes. */
export async function scanImageFolder(dir: string): Promise<FolderScan> {
  const root = resolve(dir);
  let info;
  try {
    info = await stat(root);
  } catch {
    throw new DatasetError(root, 'directory not found');
  }
  if (!info.isDirectory()) throw new DatasetError(root, 'not a directory');
  const entries = await readEntries(root);
  const classes: FolderClass[] = [];
  const emptyFolders: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory() && !isHidden(e.name)).sort((a, b) => byName(a.name, b.name))) {
    const files = await listImages(root, join(root, entry.name));
    if (files.length === 0) emptyFolders.push(entry.name);
    else classes.push({ name: entry.name, files });
  }
  if (classes.length < 2) {
    const found = classes.length === 0 ? 'no subfolder with PNG/JPEG images' : `only one class (${classes[0].name})`;
    throw new DatasetError(root, `${found}: a folder dataset needs at least two classes, one subfolder each`);
  }
  if (classes.length > MAX_FOLDER_CLASSES) throw new DatasetError(root, `${classes.length} classes; at most ${MAX_FOLDER_CLASSES} are supported`);
  return { root, classes, emptyFolders };
}

async function readEntries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new DatasetError(dir, describeFsError(error));
  }
}

/** A class folder's images, depth first, sorted by path. */
async function listImages(root: string, dir: string): Promise<FolderImageFile[]> {
  const files: FolderImageFile[] = [];
  for (const entry of (await readEntries(dir)).sort((a, b) => byName(a.name, b.name))) {
    if (isHidden(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listImages(root, path)));
    else if (isImage(entry.name)) {
      // stat follows links, so a linked image counts by its target's size and time.
      const info = await stat(path).catch((error: unknown) => {
        throw new DatasetError(path, describeFsError(error));
      });
      if (info.isFile()) files.push({ path: relative(root, path).split(sep).join('/'), size: info.size, mtimeMs: info.mtimeMs });
    }
  }
  return files;
}

/** Images per class, in the classes' order. */
export function classCounts(scan: FolderScan): number[] {
  return scan.classes.map((c) => c.files.length);
}
