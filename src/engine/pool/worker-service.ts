/**
 * The evaluation worker's side of the worker protocol (src/shared/worker-messages.ts): it builds
 * its evaluator once from `init` (TensorFlow.js and the data load here, once per worker), then
 * evaluates one candidate at a time, streaming its epochs and answering with the outcome.
 * Transport-free like the engine service: the entry point (worker-process.ts) supplies the port.
 */
import type { BackendChoice } from '../../shared/backend';
import type { WorkerEvaluator, WorkerToCoordinator } from '../../shared/worker-messages';
import { parseCoordinatorToWorker, WorkerMessageError, type CoordinatorToWorkerParsed } from '../../shared/worker-messages';
import { FixedLatencyEvaluator } from '../evaluators/fixed-latency';
import { CandidateCancelled, type CandidateEvaluator, type EvaluationJob } from '../evaluators/types';
import { encodeModelMessage } from '../model/artifact';
import { errorMessage } from '../run/error-message';

export interface WorkerPort {
  post(message: WorkerToCoordinator): void;
  onMessage(listener: (data: unknown) => void): void;
}

interface Current {
  index: number;
  abort: AbortController;
  pruned: boolean;
}

export function serveEvaluationWorker(port: WorkerPort): void {
  let worker: number | undefined;
  let evaluator: Promise<CandidateEvaluator> | undefined;
  let current: Current | undefined;

  const evaluate = async (job: EvaluationJob) => {
    if (!evaluator) throw new WorkerMessageError(`evaluation worker was asked to evaluate candidate ${job.index} before init`);
    if (current) throw new WorkerMessageError(`evaluation worker ${worker} was asked to evaluate candidate ${job.index} while evaluating candidate ${current.index}`);
    const running: Current = { index: job.index, abort: new AbortController(), pruned: false };
    current = running;
    try {
      const outcome = await (
        await evaluator
      ).evaluate(job, {
        signal: running.abort.signal,
        onEpoch: (metrics) => {
          port.post({ type: 'epoch', index: job.index, metrics });
          return running.pruned ? 'prune' : undefined;
        },
      });
      const { model, ...rest } = outcome;
      port.post({ type: 'outcome', index: job.index, outcome: { ...rest, ...(model ? { model: encodeModelMessage(model) } : {}) } });
    } catch (error) {
      if (error instanceof CandidateCancelled || running.abort.signal.aborted) port.post({ type: 'cancelled', index: job.index });
      else port.post({ type: 'failed', index: job.index, message: errorMessage(error) });
    } finally {
      current = undefined;
    }
  };

  const handle = (message: CoordinatorToWorkerParsed) => {
    switch (message.type) {
      case 'init': {
        if (evaluator) throw new WorkerMessageError(`evaluation worker ${worker} got a second init`);
        worker = message.worker;
        const built = buildEvaluator(message.worker, message.evaluator, message.backend, message.wasmThreads);
        evaluator = built.then(({ evaluator }) => evaluator);
        built.then(
          ({ evaluator, backend }) => port.post({ type: 'ready', settingsKey: evaluator.settingsKey, ...(backend ? { backend } : {}) }),
          (error: unknown) => port.post({ type: 'failed', message: errorMessage(error) }),
        );
        return;
      }
      case 'evaluate': {
        const { index } = message.job;
        evaluate(message.job).catch((error: unknown) => port.post({ type: 'failed', index, message: errorMessage(error) }));
        return;
      }
      case 'prune':
        if (current?.index === message.index) current.pruned = true;
        return;
      case 'cancel':
        // A cancel that crossed the outcome on the way has nothing left to stop.
        if (current?.index === message.index) current.abort.abort();
        return;
    }
  };

  port.onMessage((data) => {
    try {
      handle(parseCoordinatorToWorker(data, worker));
    } catch (error) {
      // The coordinator's bug, not this candidate's: say so, and leave the decision to it.
      port.post({ type: 'failed', message: errorMessage(error) });
    }
  });
}

async function buildEvaluator(worker: number, spec: WorkerEvaluator, backend: BackendChoice, wasmThreads: number | undefined) {
  switch (spec.kind) {
    case 'fixed-latency':
      // Nothing to train: no TensorFlow.js in this worker.
      return { evaluator: new FixedLatencyEvaluator(spec.latencyMs, spec.epochs), backend: undefined };
    case 'controller-episodes': {
      const [{ initBackend }, { ControllerEpisodeEvaluator }] = await Promise.all([import('../backends'), import('../tuning/parallel-episodes')]);
      const report = await initBackend(backend, { wasmThreads });
      return { evaluator: new ControllerEpisodeEvaluator(), backend: report };
    }
    case 'training': {
      // Loaded only here, so a worker that trains nothing never loads TensorFlow.js.
      const [{ initBackend }, { loadData, RunSetupError }, { TrainingEvaluator }] = await Promise.all([import('../backends'), import('../run/run-data'), import('../evaluators/training')]);
      const report = await initBackend(backend, { wasmThreads });
      const data = await loadData(spec.data);
      const options = { evaluateTest: spec.evaluateTest, captureModels: spec.captureModels };
      const evaluator = spec.controller
        ? new (await import('../evaluators/steered-training')).SteeredTrainingEvaluator(data, spec.data.dataset, spec.training, spec.controller, options)
        : new TrainingEvaluator(data, spec.training, options);
      if (evaluator.settingsKey !== spec.settingsKey) {
        throw new RunSetupError(
          `evaluation worker ${worker} refuses to evaluate: its data and settings (${evaluator.settingsKey}) differ from the coordinator's (${spec.settingsKey})`,
        );
      }
      return { evaluator, backend: report };
    }
  }
}
