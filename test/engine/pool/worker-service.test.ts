/** The worker's side of the protocol, over an in-memory port, and the contract's own checks. */
import { describe, expect, it, vi } from 'vitest';
import { parseCoordinatorToWorker, parseWorkerToCoordinator, WorkerMessageError, type WorkerToCoordinator } from '../../../src/shared/worker-messages';
import { fixedLatencySignal } from '../../../src/engine/evaluators/fixed-latency';
import { serveEvaluationWorker } from '../../../src/engine/pool/worker-service';

function worker() {
  const sent: WorkerToCoordinator[] = [];
  let deliver: (data: unknown) => void = () => undefined;
  serveEvaluationWorker({ post: (message) => sent.push(message), onMessage: (listener) => (deliver = listener) });
  return { sent, send: (data: unknown) => deliver(data), next: (type: WorkerToCoordinator['type']) => vi.waitFor(() => sent.find((m) => m.type === type) ?? Promise.reject(new Error(`no ${type} yet`))) };
}

const job = { index: 7, action: [3, 1], hash: 'h7', architecture: { layers: [] } };

describe('evaluation worker service', () => {
  it('builds its evaluator from init, then evaluates a job with its epochs and outcome', async () => {
    const w = worker();
    w.send({ type: 'init', worker: 1, evaluator: { kind: 'fixed-latency', latencyMs: 20, epochs: 2 }, backend: 'auto' });
    expect(await w.next('ready')).toEqual({ type: 'ready', settingsKey: 'fixed-latency|20|2' });
    w.send({ type: 'evaluate', job });
    const outcome = await w.next('outcome');
    expect(outcome).toMatchObject({ type: 'outcome', index: 7, outcome: { status: 'completed', hash: 'h7', signal: fixedLatencySignal([3, 1]), cached: false } });
    expect(w.sent.filter((m) => m.type === 'epoch').map((m) => m.type === 'epoch' && m.metrics.epoch)).toEqual([1, 2]);
    // Everything it sent follows the contract.
    for (const message of w.sent) parseWorkerToCoordinator(message, 1);
  });

  it('answers a cancel with cancelled, and a second job while busy or a malformed message with failed', async () => {
    const w = worker();
    w.send({ type: 'init', worker: 3, evaluator: { kind: 'fixed-latency', latencyMs: 60_000, epochs: 1 }, backend: 'auto' });
    await w.next('ready');
    w.send({ type: 'evaluate', job });
    w.send({ type: 'evaluate', job: { ...job, index: 8 } });
    expect(await w.next('failed')).toEqual({ type: 'failed', index: 8, message: 'evaluation worker 3 was asked to evaluate candidate 8 while evaluating candidate 7' });
    w.send({ type: 'cancel', index: 7 });
    expect(await w.next('cancelled')).toEqual({ type: 'cancelled', index: 7 });
    w.sent.length = 0;
    w.send({ type: 'evaluate', job: { ...job, index: -1 } });
    const failed = await w.next('failed');
    expect(failed).toMatchObject({ type: 'failed', message: expect.stringMatching(/^invalid message from the coordinator \(to evaluation worker 3\): [\s\S]*job\.index/) });
    expect(failed).not.toHaveProperty('index');
  });
});

describe('worker messages', () => {
  it('a malformed message is a WorkerMessageError naming the worker, the field and the message', () => {
    const bad = { type: 'epoch', index: 2, metrics: { epoch: 0 } };
    expect(() => parseWorkerToCoordinator(bad, 4)).toThrow(WorkerMessageError);
    expect(() => parseWorkerToCoordinator(bad, 4)).toThrow(/^invalid message from evaluation worker 4: [\s\S]*metrics\.epoch[\s\S]*\nmessage: \{"type":"epoch","index":2,"metrics":\{"epoch":0\}\}$/);
    // A long message is shown in part.
    const long = { type: 'failed', message: 7, padding: 'x'.repeat(5000) };
    expect(() => parseWorkerToCoordinator(long, 1)).toThrow(/… \(\d{4} characters\)$/);
  });

  it('init carries the run config’s own schemas: a training setting the run config refuses, the worker refuses too', () => {
    const init = (training: unknown) => ({
      type: 'init',
      worker: 1,
      backend: 'wasm',
      evaluator: { kind: 'training', data: { dataset: 'synthetic', seed: 0 }, training, settingsKey: 'k', evaluateTest: false, captureModels: false },
    });
    expect(parseCoordinatorToWorker(init({}), 1)).toMatchObject({ evaluator: { training: { epochs: 3, batchSize: 64 } } });
    expect(() => parseCoordinatorToWorker(init({ epochs: 0 }), 1)).toThrow(/evaluator\.training\.epochs/);
    expect(() => parseCoordinatorToWorker({ ...init({}), backend: 'quantum' }, 1)).toThrow(/backend/);
  });
});
