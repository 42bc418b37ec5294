/**
 * Live validation in a Web Worker, the latest request winning: a request made while another is
 * still counting stops that worker and starts a fresh one. Where no worker can run, validation runs
 * in this thread instead (the same function, just blocking).
 */
import type { EditorSpec } from './types';
import { validateSpec, type Validation } from './validation';
import type { ValidateRequest } from './validate.worker';

interface Pending {
  id: number;
  resolve: (validation: Validation | null) => void;
  spec: EditorSpec;
  shape: [number, number, number];
}

let worker: Worker | null = null;
let workerBroken = false;
let pending: Pending | null = null;
let nextId = 0;

function startWorker(): Worker | null {
  try {
    const w = new Worker(new URL('./validate.worker.ts', import.meta.url), { type: 'module' });
    w.addEventListener('message', (event: MessageEvent<{ id: number; validation: Validation }>) => {
      if (pending?.id !== event.data.id) return;
      const { resolve } = pending;
      pending = null;
      resolve(event.data.validation);
    });
    w.addEventListener('error', (event) => {
      // The worker cannot run here (or failed): validate in this thread from now on.
      event.preventDefault();
      workerBroken = true;
      w.terminate();
      if (worker === w) worker = null;
      const left = pending;
      pending = null;
      left?.resolve(validateSpec(left.spec, left.shape));
    });
    return w;
  } catch {
    workerBroken = true;
    return null;
  }
}

/**
 * The validation of `spec` for `shape`; resolves null when a later request superseded this one.
 */
export function validateInBackground(spec: EditorSpec, shape: readonly [number, number, number]): Promise<Validation | null> {
  const request = { id: ++nextId, spec, shape: [shape[0], shape[1], shape[2]] as [number, number, number] };
  if (pending) {
    // Still busy with an older request: abandon it (terminating stops a long count).
    pending.resolve(null);
    pending = null;
    worker?.terminate();
    worker = null;
  }
  if (!worker && !workerBroken) worker = startWorker();
  if (!worker) return Promise.resolve(validateSpec(request.spec, request.shape));
  const w = worker;
  return new Promise((resolve) => {
    pending = { ...request, resolve };
    w.postMessage(request satisfies ValidateRequest);
  });
}
