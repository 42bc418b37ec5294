/**
 * Training throughput of a reference CNN and MLP on 28×28×1 inputs on every backend that loads here.
 * `npm run -s bench:backends` prints one JSON object:
 *   {"backends": {"<name>": {"cnn_images_per_s": x, "mlp_images_per_s": y}, ...}, ...}
 * Each figure is a whole training epoch through the product's own trainer (batch 64), after a
 * one-batch warm-up, on as many samples as take about `SECONDS_PER_MEASURE` seconds. Where the
 * warm-up batch alone takes longer than that (the cpu backend on a CNN), its figure is reported.
 */
import { readFileSync } from 'node:fs';
import { parseArchitecture, type Architecture } from '../src/shared/architecture';
import type { BackendName } from '../src/shared/backend';
import { TrainingConfigSchema } from '../src/shared/training';
import { initBackend, probeBackends } from '../src/engine/backends';
import { makeSyntheticDataset, prepareData } from '../src/engine/data';
import { buildModel } from '../src/engine/model/builder';
import { trainModel } from '../src/engine/train/trainer';

const SECONDS_PER_MEASURE = Number(process.env.BENCH_SECONDS ?? 15);
const BATCH = 64;
const reference = (file: string) => parseArchitecture(JSON.parse(readFileSync(new URL(`../resources/architectures/${file}`, import.meta.url), 'utf8')));
const MODELS = { cnn: reference('small-cnn.json'), mlp: reference('mlp.json') };

async function imagesPerSecond(architecture: Architecture): Promise<number> {
  const epoch = async (samples: number) => {
    // validationFraction is tiny so that the measured epoch is almost all training.
    const data = prepareData(makeSyntheticDataset({ shape: [28, 28, 1], numClasses: 10, trainSamples: samples + 20, testSamples: 10 }), {
      validationFraction: 20 / (samples + 20),
    });
    const { model } = buildModel(architecture, [28, 28, 1], 10);
    try {
      const result = await trainModel(model, data, TrainingConfigSchema.parse({ epochs: 1, batchSize: BATCH }));
      return result.epochs[0].imagesPerSecond;
    } finally {
      model.dispose();
    }
  };
  const estimate = await epoch(BATCH);
  if (BATCH / estimate > SECONDS_PER_MEASURE) return estimate;
  const samples = Math.max(2, Math.min(200, Math.round((estimate * SECONDS_PER_MEASURE) / BATCH))) * BATCH;
  return epoch(samples);
}

/** Three significant digits: 0.412, 157, 3530. */
const significant = (x: number) => Number(x.toPrecision(3));

const results: Partial<Record<BackendName, { cnn_images_per_s: number; mlp_images_per_s: number; device: string }>> = {};
for (const probe of await probeBackends()) {
  if (!probe.available) continue;
  const report = await initBackend(probe.name);
  results[probe.name] = {
    cnn_images_per_s: significant(await imagesPerSecond(MODELS.cnn)),
    mlp_images_per_s: significant(await imagesPerSecond(MODELS.mlp)),
    device: report.device,
  };
  process.stderr.write(`${probe.name}: ${JSON.stringify(results[probe.name])}\n`);
}
const { wasm, cpu } = results;
process.stdout.write(
  `${JSON.stringify({
    backends: results,
    batch_size: BATCH,
    wasm_over_cpu_cnn: wasm && cpu ? significant(wasm.cnn_images_per_s / cpu.cnn_images_per_s) : null,
  })}\n`,
);
