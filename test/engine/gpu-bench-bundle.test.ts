/**
 * bench:gpu:bundle: builds the self-contained bench folder, checks its size, and runs it with
 * nothing but node, from a folder outside the repository (so no node_modules can help), for one
 * tiny step on the GPU (lavapipe in CI) or, without one, on wasm.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuSkipReason } from './webgpu-support';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const gpuMissing = await webgpuSkipReason();
let dir: string;

function bytesUnder(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0) : stat.size;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gennerator-bench-gpu-'));
  await run(process.execPath, [join(root, 'scripts/bundle-bench-gpu.mjs'), '--out', join(dir, 'bundle')], { cwd: root, timeout: 300_000 });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bench:gpu:bundle', () => {
  it("is the bench's scripts, the wasm binaries and Dawn for linux-x64, under 40 MB", () => {
    const bundle = join(dir, 'bundle');
    expect(readdirSync(bundle).sort()).toEqual([
      'README.txt', 'bench-gpu.mjs', 'gpu-accuracy.mjs', 'gpu-memory.mjs', 'node_modules',
      'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm',
    ]);
    expect(statSync(join(bundle, 'node_modules/webgpu/dist/linux-x64/dawn.node')).isFile()).toBe(true);
    expect(bytesUnder(bundle)).toBeLessThan(40 * 2 ** 20);
  });

  it('runs with only node, outside the repository, and prints the bench JSON', async () => {
    const backend = gpuMissing ? 'wasm' : 'webgpu';
    const { stdout } = await run(
      process.execPath,
      [join(dir, 'bundle/bench-gpu.mjs'), '--backends', backend, '--nets', 'small-cnn', '--batch-sizes', '2', '--steps', '2', '--warmup', '1', '--no-profile'],
      { cwd: dir, timeout: 600_000, env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? dir } },
    );
    const result = JSON.parse(stdout) as { backends: Record<string, { device: string; nets: Record<string, Record<string, { images_per_s: number; dispatches_per_step?: number }>> }> };
    const figure = result.backends[backend]?.nets['small-cnn']?.['2'];
    expect(figure?.images_per_s).toBeGreaterThan(0);
    if (backend === 'webgpu') expect(figure?.dispatches_per_step).toBeGreaterThan(0);
  }, 600_000);
});
