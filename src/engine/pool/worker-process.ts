/**
 * Entry of an evaluation worker: a Node child process of the engine (child_process.fork; in the
 * app the engine runs in Electron's utility process and its workers run Electron as Node). It
 * speaks the messages of src/shared/worker-messages.ts over the IPC channel.
 */
import type { WorkerToCoordinator } from '../../shared/worker-messages';
import { errorMessage } from '../run/error-message';
import { serveEvaluationWorker, type WorkerPort } from './worker-service';

if (!process.send) {
  // Started by hand: there is no coordinator to report to.
  throw new Error('worker-process must run with an IPC channel (child_process.fork)');
}
// Without its coordinator a worker has nothing to report to: a killed engine must not leave it training.
process.on('disconnect', () => process.exit(0));

// What `ps` and `top` show: a worker, and whether it is starting, idle or on a candidate.
process.title = 'gennerator-worker (starting)';
const post: WorkerPort['post'] = (message) => {
  if (message.type === 'epoch') process.title = `gennerator-worker (candidate ${message.index})`;
  else if (message.type !== 'failed' || message.index !== undefined) process.title = 'gennerator-worker (ready)';
  if (process.connected) process.send!(message);
};

// A crash should reach the coordinator as a reason (one line: it becomes the candidate's error), not only as an exit code.
process.on('uncaughtException', (error) => {
  if (!process.connected) process.exit(1);
  process.send!({ type: 'failed', message: `evaluation worker crashed: ${errorMessage(error)}` } satisfies WorkerToCoordinator, undefined, undefined, () => process.exit(1));
});

serveEvaluationWorker({ post, onMessage: (listener) => process.on('message', listener) });
