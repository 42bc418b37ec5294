/**
 * One zustand store made of slices (zustand's slices pattern): each feature owns its slice file,
 * and this file only composes them. Components select what they need: useApp((s) => s.runs) for
 * one field, useAppPick('runs', 'runsLoaded') for several.
 */
import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { createEditorSlice, type EditorSlice } from '../features/action-set-editor/slice';
import { createAnalysisSlice, type AnalysisSlice } from '../features/analysis/slice';
import { createCompareSlice, type CompareSlice } from '../features/compare/slice';
import { createHistorySlice, type HistorySlice } from '../features/history/slice';
import { createLiveSlice, type LiveSlice } from '../features/run-live/slice';
import { createTuneSlice, type TuneSlice } from '../features/tune/slice';
import { createShellSlice, type ShellSlice } from './shell-slice';

export type AppState = ShellSlice & EditorSlice & LiveSlice & HistorySlice & CompareSlice & AnalysisSlice & TuneSlice;

export const useApp = create<AppState>()((...a) => ({
  ...createShellSlice(...a),
  ...createEditorSlice(...a),
  ...createLiveSlice(...a),
  ...createHistorySlice(...a),
  ...createCompareSlice(...a),
  ...createAnalysisSlice(...a),
  ...createTuneSlice(...a),
}));

/** Several fields of the store in one subscription: re-renders only when one of them changes. */
export function useAppPick<K extends keyof AppState>(...keys: K[]): Pick<AppState, K> {
  return useApp(
    useShallow((state) => {
      const picked = {} as Pick<AppState, K>;
      for (const key of keys) picked[key] = state[key];
      return picked;
    }),
  );
}
