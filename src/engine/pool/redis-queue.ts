/**
 * Where a run's candidates live on Redis, for its coordinator (queue-pool.ts) and for the workers
 * on other machines (queue-worker.ts) alike. Each run has its own BullMQ queue, so several runs can
 * share a Redis; beside it, a few keys of ours, all under one prefix:
 *   gennerator:runs                  sorted set: the queues of live runs, scored by their coordinator's last heartbeat
 *   gennerator:run-<id>:…            the run's BullMQ queue (jobs are candidates)
 *   gennerator:verdicts:run-<id>     hash: index → early stopping's verdict (prune, or cancel when the run ends)
 *                                    (also published on the channel of the same name, for workers to act at once)
 *   gennerator:models:run-<id>       hash: index → a trained candidate's weights, until the coordinator takes them
 */
import { Redis } from 'ioredis';
import { parseRedisUrl, redisUrlForDisplay } from '../../shared/redis-url';

export const QUEUE_PREFIX = 'gennerator';
export const RUN_REGISTRY_KEY = `${QUEUE_PREFIX}:runs`;
/** A run whose coordinator has not checked in for this long is not served (it was killed; `resume` brings it back). */
export const LIVE_RUN_MS = 30_000;
/** How often a coordinator checks in. */
export const HEARTBEAT_MS = 5_000;
/** How long verdicts and weights stay when nobody cleans up (a coordinator killed and never resumed). */
export const LEFTOVER_TTL_S = 7 * 24 * 3600;

/** The BullMQ queue of a run (BullMQ forbids ':' in queue names). */
export function runQueueName(runId: string): string {
  if (!/^[\w-]+$/.test(runId)) throw new RangeError(`run id "${runId}" cannot name a queue: letters, digits, - and _ only`);
  return `run-${runId}`;
}

/** The run a queue belongs to, or undefined for a queue that is not a run's. */
export function runOfQueue(queue: string): string | undefined {
  return /^run-([\w-]+)$/.exec(queue)?.[1];
}

/**
 * A candidate's job id: one job per candidate and architecture, so a candidate queued again after
 * its coordinator restarted finds its job (and its result, when a worker finished it meanwhile).
 */
export function candidateJobId(index: number, hash: string): string {
  return `candidate-${index}-${hash}`;
}

export const verdictsKey = (queue: string) => `${QUEUE_PREFIX}:verdicts:${queue}`;
export const modelsKey = (queue: string) => `${QUEUE_PREFIX}:models:${queue}`;
/** The queue whose verdict channel this is. */
export const queueOfVerdicts = (channel: string) => channel.slice(`${QUEUE_PREFIX}:verdicts:`.length);

/** Connection options for ioredis and BullMQ alike. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

/** The connection options a Redis URL stands for (TLS for rediss://). */
export function redisOptions(url: string): RedisConnectionOptions {
  const { tls, host, port, db, username, password } = parseRedisUrl(url);
  return {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    // Node checks the server's certificate against the host name (and sends it as SNI) by default.
    ...(tls ? { tls: {} } : {}),
  };
}

/** Why Redis at `url` cannot take a run's queue (unreachable, refused the password…), or undefined when it answers PING. */
export async function redisProblem(url: string, timeoutMs = 5000): Promise<string | undefined> {
  let lastError: string | undefined;
  const client = new Redis({ ...redisOptions(url), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', (error: Error) => (lastError = error.message));
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    // ioredis rejects with "Connection is closed": the reason is the error it emitted.
    return `cannot reach Redis at ${redisUrlForDisplay(url)}: ${lastError ?? (error as Error).message}`;
  } finally {
    client.disconnect();
  }
}
