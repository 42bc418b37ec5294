/** The app shell: which view is open, what main says about itself, and errors to show. */
import type { AppInfo } from '../../../shared/api';
import { api, errorText } from '../api';
import { currentLocation, type ViewId } from '../lib/location';
import type { Slice } from './slice';

export type View = ViewId;

export interface ShellSlice {
  view: View;
  info: AppInfo | null;
  /** A problem that belongs to no single view (e.g. lost connection). */
  shellError: string | null;
  setView(view: View): void;
  loadInfo(): Promise<void>;
}

export const createShellSlice: Slice<ShellSlice> = (set) => ({
  // A reload comes back to the view it left; a first visit opens on how to start.
  view: currentLocation().view ?? 'start',
  info: null,
  shellError: null,
  setView: (view) => set({ view }),
  loadInfo: async () => {
    try {
      set({ info: await api.call('app.info', {}), shellError: null });
    } catch (error) {
      set({ shellError: errorText(error) });
    }
  },
});
