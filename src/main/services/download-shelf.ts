/**
 * Browser mode's downloads: a zip the page asked for waits here, under an unguessable URL, until the
 * browser fetches it (`/downloads/<token>/<file name>`, served by ws-server.ts). Kept for a few
 * minutes, so a page that was slow to follow the link still gets it; then dropped.
 */
import { randomBytes } from 'node:crypto';

export const DOWNLOADS_PATH = '/downloads/';

interface Item {
  fileName: string;
  bytes: Uint8Array;
  expires: number;
}

export class DownloadShelf {
  private readonly items = new Map<string, Item>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    /** The most archives kept at once (the oldest go first). */
    private readonly capacity = 20,
  ) {}

  /** Puts an archive on the shelf; returns the URL path the page downloads it from. */
  offer(fileName: string, bytes: Uint8Array, now = Date.now()): string {
    for (const [token, item] of this.items) if (item.expires <= now) this.items.delete(token);
    while (this.items.size >= this.capacity) this.items.delete(this.items.keys().next().value as string);
    const token = randomBytes(16).toString('hex');
    this.items.set(token, { fileName, bytes, expires: now + this.ttlMs });
    return `${DOWNLOADS_PATH}${token}/${encodeURIComponent(fileName)}`;
  }

  /** The archive a URL path names, while it is kept. */
  find(path: string, now = Date.now()): { fileName: string; bytes: Uint8Array } | undefined {
    const token = path.slice(DOWNLOADS_PATH.length).split('/')[0];
    const item = this.items.get(token);
    if (!item || item.expires <= now) return undefined;
    return item;
  }
}
