/** Writers for the on-disk formats, so tests build exact files instead of shipping fixtures. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DatasetError } from '../../../src/engine/data/types';

export function idxImages(count: number, rows: number, cols: number, pixel: (n: number, i: number) => number): Buffer {
  const buf = Buffer.alloc(16 + count * rows * cols);
  buf.writeUInt32BE(0x00000803, 0);
  buf.writeUInt32BE(count, 4);
  buf.writeUInt32BE(rows, 8);
  buf.writeUInt32BE(cols, 12);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < rows * cols; i++) buf[16 + n * rows * cols + i] = pixel(n, i);
  }
  return buf;
}

export function idxLabels(labels: number[]): Buffer {
  const buf = Buffer.alloc(8 + labels.length);
  buf.writeUInt32BE(0x00000801, 0);
  buf.writeUInt32BE(labels.length, 4);
  labels.forEach((l, i) => (buf[8 + i] = l));
  return buf;
}

/** One CIFAR-10 binary record: label, then the R, G and B planes. */
export function cifarRecord(label: number, rgb: (row: number, col: number, channel: number) => number): Buffer {
  const buf = Buffer.alloc(3073);
  buf[0] = label;
  for (let c = 0; c < 3; c++) {
    for (let row = 0; row < 32; row++) {
      for (let col = 0; col < 32; col++) buf[1 + c * 1024 + row * 32 + col] = rgb(row, col, c);
    }
  }
  return buf;
}

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gennerator-data-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Awaits a promise that must reject with a DatasetError, and returns that error. */
export async function datasetError(promise: Promise<unknown>): Promise<DatasetError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}
