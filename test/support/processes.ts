/** What /proc says about processes (Linux): whether one runs, and the processes below one. */
import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process runs (a zombie nobody reaped yet has ended: it counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export interface ProcessInfo {
  pid: number;
  /** Its command line, or the title it gave itself (process.title). */
  title: string;
}

/** The running processes below `pid` (children, their children…), as /proc lists them now. */
export function descendants(pid: number): ProcessInfo[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read from its last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parents.set(Number(entry), Number(ppid));
    } catch {
      // It ended while we looked.
    }
  }
  const below = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parents) {
      if (below.has(parent) && !below.has(child)) {
        below.add(child);
        grew = true;
      }
    }
  }
  below.delete(pid);
  return [...below].flatMap((child) => {
    try {
      const title = readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ');
      return [{ pid: child, title }];
    } catch {
      return [];
    }
  });
}
