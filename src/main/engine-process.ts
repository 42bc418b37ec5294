/**
 * Entry of the engine process. In the app it runs in an Electron utility process (main forks it
 * with `utilityProcess.fork`, see engine-host.ts) so that TensorFlow.js training never blocks the
 * main process or the UI. It talks to main only through `process.parentPort`, with the messages
 * of src/shared/engine-messages.ts.
 *
 * Deliberately Electron-free: it never imports 'electron', only uses the `parentPort` object that
 * Electron puts on `process`. A test can therefore run the built chunk under plain Node by setting
 * `process.parentPort` to a stand-in before importing it.
 */
import { initBackend } from '../engine/backends/index';
import { parseMainToEngine, type EngineToMain } from '../shared/engine-messages';

/** The part of Electron's `ParentPort` the engine uses (kept local so no Electron types are needed). */
interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPortLike | null }).parentPort;
if (!port) {
  // Started outside a utility process (e.g. `node out/main/chunks/engine-process-*.js`): there is
  // nobody to report to, so say so instead of running silently.
  throw new Error('engine-process must run with a parent port (Electron utilityProcess)');
}
const parentPort: ParentPortLike = port;

function post(message: EngineToMain): void {
  parentPort.postMessage(message);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

// Registering the listener also keeps the utility process alive while main may still talk to it.
parentPort.on('message', (event) => {
  let message;
  try {
    message = parseMainToEngine(event.data);
  } catch (error) {
    post({ type: 'error', message: errorMessage(error) });
    return;
  }
  switch (message.type) {
    case 'shutdown':
      process.exit(0);
  }
});

// A crash in the engine should reach main as a message, so main can show why instead of only an
// exit code. The short delay lets the message leave before the process dies (postMessage is async).
process.on('uncaughtException', (error) => {
  post({ type: 'error', message: errorMessage(error) });
  setTimeout(() => process.exit(1), 200);
});

try {
  const backend = await initBackend();
  post({ type: 'ready', backend });
} catch (error) {
  // Stay alive: main decides what to do (it reports the error and sends `shutdown`).
  post({ type: 'error', message: `backend initialisation failed: ${errorMessage(error)}` });
}
