import type { Slice } from '../../store/slice';

export interface HistorySlice {}

export const createHistorySlice: Slice<HistorySlice> = () => ({});
