/**
 * Where the app is, kept in the URL's hash ("#live/<run id>", "#history"), so that reloading the
 * page (or the desktop app's window) comes back to the view and the run being watched.
 */
export const VIEW_IDS = ['start', 'editor', 'live', 'history', 'compare', 'tune'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export interface AppLocation {
  view?: ViewId;
  /** The run watched in the live view. */
  runId?: string;
}

export function parseLocation(hash: string): AppLocation {
  const [view, runId] = hash.replace(/^#\/?/, '').split('/');
  if (!(VIEW_IDS as readonly string[]).includes(view)) return {};
  return { view: view as ViewId, ...(view === 'live' && runId ? { runId: decodeURIComponent(runId) } : {}) };
}

export function locationHash(location: AppLocation): string {
  if (!location.view) return '';
  return `#${location.view}${location.view === 'live' && location.runId ? `/${encodeURIComponent(location.runId)}` : ''}`;
}

/** What the hash of the page this code runs in says (nothing outside a browser, e.g. in unit tests). */
export function currentLocation(): AppLocation {
  // Read through globalThis: this module is also unit-tested outside a browser.
  const hash = (globalThis as { location?: { hash?: string } }).location?.hash;
  return hash ? parseLocation(hash) : {};
}
