import type { StateCreator } from 'zustand';
import type { AppState } from './index';

/** A slice creator that can read and set the whole store (zustand's slices pattern). */
export type Slice<T> = StateCreator<AppState, [], [], T>;
