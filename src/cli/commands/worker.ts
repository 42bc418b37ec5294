import type { Command } from 'commander';
import type { QueueWorker } from '../../engine/pool/queue-worker';
import { CliError } from '../errors';
import { positiveInt, redisUrl } from '../options';

interface WorkerOptions {
  redis: string;
  concurrency: number;
  run?: string;
  lockDuration: number;
  stalledInterval: number;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description("evaluate candidates that runs started with --redis queue there (this machine's share of the work)")
    .requiredOption('--redis <url>', 'the Redis the runs queue their candidates on (redis://[user:password@]host[:port][/db], rediss:// for TLS)', redisUrl)
    .option('--concurrency <n>', 'candidates evaluated at once, each in a process of its own', positiveInt, 1)
    .option('--run <id>', "serve only this run (default: every live run's queue)")
    .option('--lock-duration <ms>', "how long a candidate's job stays locked without a sign of life: after it, the job goes to another worker", positiveInt, 30_000)
    .option('--stalled-interval <ms>', 'how often to look for jobs whose worker went silent', positiveInt, 30_000)
    .action(async (options: WorkerOptions) => {
      // Loaded only here: the other commands never load BullMQ.
      const { QueueWorker, QueueWorkerError } = await import('../../engine/pool/queue-worker');
      let worker: QueueWorker;
      try {
        worker = await QueueWorker.start({
          url: options.redis,
          concurrency: options.concurrency,
          runId: options.run,
          lockDurationMs: options.lockDuration,
          stalledIntervalMs: options.stalledInterval,
          log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
        });
      } catch (error) {
        if (error instanceof QueueWorkerError) throw new CliError(error.message, 'is redis-server running there, and the URL (password, TLS) right?', 1);
        throw error;
      }
      process.stdout.write(`worker ${worker.name}: ${options.concurrency} at a time from ${worker.where}${options.run ? `, run ${options.run} only` : ''} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write('finishing the candidates in evaluation (Ctrl-C again to stop at once: they go to other workers)\n');
          process.once('SIGINT', () => process.exit(130));
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await worker.close();
    });
}
