/** A folder dataset as the launcher previews it (the API's datasets.previewFolder). */
import type { FolderImage } from './run-config';

/** One sample image: as a PNG data URL, or why it could not be decoded. */
export type FolderSample = { path: string; dataUrl: string } | { path: string; error: string };

export interface FolderPreview {
  /** The folder, as an absolute path on the machine that runs main. */
  dir: string;
  /** What the samples were decoded to. */
  image: FolderImage;
  /** By name; the index is the label. */
  classes: Array<{ name: string; count: number; samples: FolderSample[] }>;
  total: number;
  /** Subfolders without images (not classes). */
  emptyFolders: string[];
}
