/**
 * The keyboard shortcuts: one table, which the `?` sheet lists and the shell's key handler reads.
 * Single keys act only when focus is not in a field (where they are typing); undo and redo in a
 * field are the field's own.
 */
import type { ViewId } from './location';

export type ShortcutAction = 'help' | 'close' | `view:${ViewId}` | 'undo' | 'redo' | 'save' | 'new-run' | 'pause-resume';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

// Read through globalThis: this module is also unit-tested outside a browser.
const MAC = /Mac|iPhone|iPad/.test((globalThis as { navigator?: { platform?: string } }).navigator?.platform ?? '');
/** How the sheet and tooltips write the command key: ⌘ on a Mac, Ctrl elsewhere. */
export const MOD = MAC ? '⌘' : 'Ctrl';

export interface Shortcut {
  /** The keys, as the sheet shows them (each a <kbd>). */
  keys: string[][];
  action: ShortcutAction;
  what: string;
  /** Where it acts: anywhere, or in one view. */
  where: 'anywhere' | 'editor' | 'live';
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: [['?']], action: 'help', what: 'show or hide this list', where: 'anywhere' },
  { keys: [['Esc']], action: 'close', what: 'close this list', where: 'anywhere' },
  { keys: [['1']], action: 'view:start', what: 'Start', where: 'anywhere' },
  { keys: [['2']], action: 'view:editor', what: 'Action sets', where: 'anywhere' },
  { keys: [['3']], action: 'view:live', what: 'Run', where: 'anywhere' },
  { keys: [['4']], action: 'view:history', what: 'History', where: 'anywhere' },
  { keys: [['5']], action: 'view:compare', what: 'Compare', where: 'anywhere' },
  { keys: [['6']], action: 'view:tune', what: 'Tune', where: 'anywhere' },
  { keys: [['N']], action: 'new-run', what: 'a new run (the launcher)', where: 'anywhere' },
  { keys: [['P']], action: 'pause-resume', what: 'pause or resume the run watched', where: 'live' },
  { keys: [[MOD, 'Z']], action: 'undo', what: 'undo the last change to the set', where: 'editor' },
  { keys: [['Shift', MOD, 'Z'], ['Ctrl', 'Y']], action: 'redo', what: 'redo', where: 'editor' },
  { keys: [[MOD, 'S']], action: 'save', what: 'save the set', where: 'editor' },
];

const VIEW_KEYS: Record<string, ViewId> = { '1': 'start', '2': 'editor', '3': 'live', '4': 'history', '5': 'compare', '6': 'tune' };

/** The action a key press asks for where focus is (`typing`: in a field) and which view is open; null for none. */
export function shortcutAction(press: KeyPress, context: { typing: boolean; view: ViewId }): ShortcutAction | null {
  const mod = press.ctrlKey || press.metaKey;
  const key = press.key.toLowerCase();
  if (mod && !press.altKey) {
    if (key === 's') return context.view === 'editor' ? 'save' : null;
    if (context.typing || context.view !== 'editor') return null;
    if (key === 'z') return press.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && press.ctrlKey && !press.shiftKey) return 'redo';
    return null;
  }
  if (press.key === 'Escape') return 'close';
  if (context.typing || mod || press.altKey) return null;
  if (press.key === '?') return 'help';
  const view = VIEW_KEYS[press.key];
  if (view) return `view:${view}`;
  if (key === 'n' && !press.shiftKey) return 'new-run';
  if (key === 'p' && !press.shiftKey && context.view === 'live') return 'pause-resume';
  return null;
}

/** Whether a key press lands in a field that takes text (where single keys are typing, not shortcuts). */
export function isTyping(target: unknown): boolean {
  const element = target as { tagName?: unknown; isContentEditable?: boolean; type?: string } | null;
  if (!element || typeof element.tagName !== 'string') return false;
  if (element.isContentEditable) return true;
  if (element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true;
  if (element.tagName !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'submit', 'range', 'color', 'file'].includes(element.type ?? 'text');
}
