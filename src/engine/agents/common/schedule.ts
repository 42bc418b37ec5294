/** Values that change over training (SB3's Schedule: a function of the progress remaining, 1 → 0). */
import { z } from 'zod';

/** A constant, or linear from `initial` (progress remaining 1) to `final` (progress remaining 0). */
export const ScheduleSchema = z.union([z.number(), z.object({ kind: z.literal('linear'), initial: z.number(), final: z.number().optional() })]);
export type Schedule = z.infer<typeof ScheduleSchema>;

export function scheduleValue(s: Schedule, progressRemaining: number): number {
  if (typeof s === 'number') return s;
  const final = s.final ?? 0;
  return final + (s.initial - final) * progressRemaining;
}
