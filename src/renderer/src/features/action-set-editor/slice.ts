import type { Slice } from '../../store/slice';

export interface EditorSlice {}

export const createEditorSlice: Slice<EditorSlice> = () => ({});
