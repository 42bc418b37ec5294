/**
 * The colour scheme follows the system setting (prefers-color-scheme): the stylesheet switches its
 * colour variables, and what draws with colours of its own (charts on a canvas, graph edges) reads
 * the same variables and draws again when the scheme changes.
 */
import { useSyncExternalStore } from 'react';

const DARK = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  if (typeof window === 'undefined' || !window.matchMedia) return () => {};
  const media = window.matchMedia(DARK);
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

const scheme = (): 'light' | 'dark' => (typeof window !== 'undefined' && window.matchMedia?.(DARK).matches ? 'dark' : 'light');

export function useColorScheme(): 'light' | 'dark' {
  return useSyncExternalStore(subscribe, scheme, () => 'light');
}

/** A colour variable of the stylesheet (e.g. '--muted') as it is now, or `fallback` outside a page. */
export function themeColor(variable: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(variable).trim() || fallback;
}
