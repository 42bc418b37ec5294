/** Runs live validation off the UI thread: counting a large set's networks can take seconds. */
import type { EditorSpec } from './types';
import { validateSpec } from './validation';

export interface ValidateRequest {
  id: number;
  spec: EditorSpec;
  shape: [number, number, number];
}

self.addEventListener('message', (event: MessageEvent<ValidateRequest>) => {
  const { id, spec, shape } = event.data;
  self.postMessage({ id, validation: validateSpec(spec, shape) });
});
