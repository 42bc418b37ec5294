/**
 * A throwaway redis-server (Debian's package; .ci/run installs it) on a free localhost port, with
 * nothing saved to disk, for the tests of scale-out through BullMQ. Resolves once it answers PING.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface RedisServer {
  port: number;
  /** redis://[:password@]127.0.0.1:port/db */
  url(db?: number): string;
  /** Ends the server (SIGKILL: as a crash would); resolves once it has exited. */
  kill(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answersPing(port: number, password: string | undefined): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function startRedisServer(options: { password?: string; port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.password ? ['--requirepass', options.password] : [])];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone: Error | undefined;
  child.once('error', (error) => (gone = new Error(`redis-server could not start (is Debian's redis-server installed?): ${error.message}`)));
  void exited.then(() => (gone ??= new Error(`redis-server exited: ${output}`)));
  while (!(await answersPing(port, options.password))) {
    if (gone) throw gone;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: (db = 0) => `redis://${auth}127.0.0.1:${port}/${db}`,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
