/**
 * Backend probing and selection. Written to hold both here (no tfjs-node packages: auto → wasm) and
 * on a machine where @tensorflow/tfjs-node(-gpu) is installed.
 */
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend, probeBackends } from '../../src/engine/backends';
import { tf } from '../../src/engine/tf';
import { BACKEND_NAMES } from '../../src/shared/backend';

const nodeRequire = createRequire(import.meta.url);
function installed(pkg: string): boolean {
  try {
    nodeRequire.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const GPU_INSTALLED = installed('@tensorflow/tfjs-node-gpu');
const NATIVE_INSTALLED = GPU_INSTALLED || installed('@tensorflow/tfjs-node');

const savedEnv = { backend: process.env.GENNERATOR_BACKEND, threads: process.env.GENNERATOR_WASM_THREADS };
afterEach(() => {
  for (const [key, value] of [['GENNERATOR_BACKEND', savedEnv.backend], ['GENNERATOR_WASM_THREADS', savedEnv.threads]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('probeBackends', () => {
  it('lists the backends in preference order, with a reason for each one that does not load', async () => {
    const probes = await probeBackends();
    expect(probes.map((p) => p.name)).toEqual([...BACKEND_NAMES]);
    for (const probe of probes) {
      if (probe.available) expect(probe.reason).toBeUndefined();
      else expect(probe.reason, probe.name).toMatch(/\S{8,}/);
    }
    const byName = Object.fromEntries(probes.map((p) => [p.name, p]));
    // Hard dependencies: always there.
    expect(byName.wasm.available).toBe(true);
    expect(byName.cpu.available).toBe(true);
    if (!GPU_INSTALLED) {
      expect(byName['tensorflow-gpu'].reason).toContain('@tensorflow/tfjs-node-gpu is not installed');
    }
    if (!NATIVE_INSTALLED) {
      expect(byName.tensorflow.reason).toContain('@tensorflow/tfjs-node is not installed');
    }
  });
});

describe('initBackend', () => {
  it("'auto' picks the first available probe it does not pass over, and reports them all", async () => {
    const probes = await probeBackends();
    const report = await initBackend('auto');
    expect(report.name).toBe(probes.find((p) => p.available && p.autoSkip === undefined)?.name);
    expect(report.probes.map((p) => p.name)).toEqual([...BACKEND_NAMES]);
    expect(tf.getBackend()).toBe(report.tfBackend);
    if (!NATIVE_INSTALLED) {
      expect(report.name).toBe('wasm');
      expect(report.tfBackend).toBe('wasm');
    }
  });

  it('describes the wasm device: SIMD and the thread count', async () => {
    const report = await initBackend('wasm');
    expect(report).toMatchObject({ name: 'wasm', tfBackend: 'wasm' });
    expect(report.device).toMatch(/^CPU \(WebAssembly SIMD, \d+ threads?/);
    // Multithreading is on wherever there is more than one core, unless the env turns it down.
    if (process.env.GENNERATOR_WASM_THREADS === undefined) {
      const threads = Math.min(8, os.availableParallelism());
      expect(report.device).toContain(`${threads} thread${threads === 1 ? '' : 's'})`);
    }
  });

  it("leaves no Emscripten 'uncaughtException'/'unhandledRejection' handler behind", async () => {
    await initBackend('wasm');
    const listeners = [...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')];
    expect(listeners.filter((l) => /ExitStatus|throw reason/.test(String(l)))).toEqual([]);
  });

  it('returns the same report when called again with the same choice', async () => {
    const first = await initBackend('wasm');
    const again = await initBackend('wasm');
    expect(again).toEqual(first);
  });

  it("switches to an explicit 'cpu'", async () => {
    const report = await initBackend('cpu');
    expect(report).toMatchObject({ name: 'cpu', tfBackend: 'cpu', probes: [{ name: 'cpu', available: true }] });
    expect(tf.getBackend()).toBe('cpu');
    expect(report.device).toMatch(/^CPU/);
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
  });

  it.skipIf(GPU_INSTALLED)("rejects an explicit 'tensorflow-gpu' that is not installed, naming it and what is available", async () => {
    const before = tf.getBackend();
    const failure = initBackend('tensorflow-gpu');
    await expect(failure).rejects.toThrow(/'tensorflow-gpu' is not available: .*@tensorflow\/tfjs-node-gpu.*Available here: .*wasm, cpu/);
    expect(tf.getBackend()).toBe(before);
  });

  it('rejects an invalid GENNERATOR_BACKEND, naming the variable and the allowed values', async () => {
    process.env.GENNERATOR_BACKEND = 'gpu';
    await expect(initBackend()).rejects.toThrow(/GENNERATOR_BACKEND="gpu".*auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
  });

  it('rejects an invalid GENNERATOR_WASM_THREADS, naming the variable and the range', async () => {
    process.env.GENNERATOR_WASM_THREADS = 'many';
    await expect(initBackend('cpu')).rejects.toThrow(/GENNERATOR_WASM_THREADS="many".*1 to 8/);
  });

  it('uses GENNERATOR_BACKEND when no choice is given', async () => {
    process.env.GENNERATOR_BACKEND = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    process.env.GENNERATOR_BACKEND = 'wasm';
    expect((await initBackend()).name).toBe('wasm');
  });
});
