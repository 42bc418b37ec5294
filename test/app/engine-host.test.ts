/** EngineHost (main's side of the engine process) against a fake child: no Electron, no tfjs. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EngineHost, type EngineChild } from '../../src/main/engine-host';
import type { BackendReport } from '../../src/shared/backend';

const report: BackendReport = {
  name: 'wasm',
  tfBackend: 'wasm',
  device: 'CPU (WebAssembly)',
  probes: [{ name: 'wasm', available: true }],
};

class FakeChild extends EventEmitter implements EngineChild {
  sent: unknown[] = [];
  killed = false;
  /** Exit when told to shut down (a well-behaved engine) unless set false. */
  obeysShutdown = true;

  postMessage(message: unknown): void {
    this.sent.push(message);
    if (this.obeysShutdown && (message as { type?: string }).type === 'shutdown') {
      setImmediate(() => this.emit('exit', 0));
    }
  }
  kill(): boolean {
    this.killed = true;
    setImmediate(() => this.emit('exit', 137));
    return true;
  }
  /** What the engine would post. */
  fromEngine(message: unknown): void {
    this.emit('message', message);
  }
}

function setup(options: { stopTimeoutMs?: number } = {}) {
  const child = new FakeChild();
  const logged: string[] = [];
  const host = new EngineHost(() => child, { ...options, log: (m) => logged.push(m) });
  host.start();
  return { child, host, logged };
}

describe('EngineHost', () => {
  it('resolves the backend report from a ready message', async () => {
    const { child, host } = setup();
    child.fromEngine({ type: 'ready', backend: report });
    await expect(host.getBackend()).resolves.toEqual(report);
  });

  it('ignores (and logs) invalid messages instead of trusting them', async () => {
    const { child, host, logged } = setup();
    child.fromEngine({ type: 'ready', backend: { ...report, name: 'cuda-magic' } });
    child.fromEngine('hello');
    expect(logged).toHaveLength(2);
    child.fromEngine({ type: 'ready', backend: report });
    await expect(host.getBackend()).resolves.toEqual(report);
  });

  it('rejects on an error message and asks the engine to shut down', async () => {
    const { child, host } = setup();
    child.fromEngine({ type: 'error', message: 'no backend' });
    await expect(host.getBackend()).rejects.toThrow('no backend');
    expect(child.sent).toContainEqual({ type: 'shutdown' });
  });

  it('rejects when the engine exits before it is ready', async () => {
    const { child, host } = setup();
    child.emit('exit', 1);
    await expect(host.getBackend()).rejects.toThrow(/exited \(code 1\)/);
  });

  it('stops with shutdown, and kills an engine that does not exit in time', async () => {
    const polite = setup();
    await polite.host.stop();
    expect(polite.child.sent).toEqual([{ type: 'shutdown' }]);
    expect(polite.child.killed).toBe(false);

    const stubborn = setup({ stopTimeoutMs: 20 });
    stubborn.child.obeysShutdown = false;
    await stubborn.host.stop();
    expect(stubborn.child.killed).toBe(true);
  });

  it('reports "not started" before start()', async () => {
    const host = new EngineHost(() => new FakeChild());
    await expect(host.getBackend()).rejects.toThrow('not started');
  });
});
