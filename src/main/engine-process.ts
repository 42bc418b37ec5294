/**
 * Entry of the engine process. In the app it runs in an Electron utility process (the run
 * supervisor forks it with `utilityProcess.fork`) so that TensorFlow.js training never blocks the
 * main process or the UI; under the CLI, tests and browser mode it is a Node child process
 * (`child_process.fork`). Either way it speaks the messages of src/shared/engine-messages.ts.
 *
 * Deliberately Electron-free: it only uses the `parentPort` object Electron puts on `process`,
 * or Node's IPC channel (`process.send`) when there is none.
 */
import { serveEngine, type EnginePort } from '../engine/run/engine-service';
import { errorReport } from '../engine/run/error-message';

/** The part of Electron's `ParentPort` the engine uses (kept local so no Electron types are needed). */
interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

function electronPort(parentPort: ParentPortLike): EnginePort {
  return {
    post: (message) => parentPort.postMessage(message),
    onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
    // postMessage hands the message to Electron at once; give its IPC a moment before exiting.
    flush: () => new Promise((resolve) => setTimeout(resolve, 100)),
  };
}

function nodePort(): EnginePort {
  let pending = 0;
  let drained: Array<() => void> = [];
  return {
    post: (message) => {
      pending++;
      process.send!(message, undefined, undefined, () => {
        if (--pending === 0) for (const resolve of drained.splice(0)) resolve();
      });
    },
    onMessage: (listener) => process.on('message', listener),
    flush: () => (pending === 0 ? Promise.resolve() : new Promise((resolve) => drained.push(resolve))),
  };
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike | null }).parentPort;
if (!parentPort && !process.send) {
  // Started by hand (`node …/engine-process.js`): there is nobody to report to, so say so.
  throw new Error('engine-process must run with a parent port (Electron utilityProcess) or an IPC channel (child_process.fork)');
}
// Without its parent the engine has no one to report to: a killed CLI or app must not leave it training.
process.on('disconnect', () => process.exit(0));
const port = parentPort ? electronPort(parentPort) : nodePort();

// A crash in the engine should reach main as a message, so main can show why instead of only an exit code.
process.on('uncaughtException', (error) => {
  const report = errorReport(error);
  port.post({ ...report, message: `engine crashed: ${report.message}` });
  void port.flush().then(() => process.exit(1));
});

serveEngine(port, (code) => process.exit(code));
