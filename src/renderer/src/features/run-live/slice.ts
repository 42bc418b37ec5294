import type { RunUpdate } from '../../../../shared/api';
import type { Slice } from '../../store/slice';

export interface LiveSlice {
  /** Every update main pushes goes through here (the shell subscribes once). */
  onRunUpdate(update: RunUpdate): void;
}

export const createLiveSlice: Slice<LiveSlice> = () => ({
  onRunUpdate: () => undefined,
});
