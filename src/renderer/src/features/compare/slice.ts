import type { Slice } from '../../store/slice';

export interface CompareSlice {}

export const createCompareSlice: Slice<CompareSlice> = () => ({});
