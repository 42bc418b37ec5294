import { initBackend } from './src/engine/backends';
import { tf } from './src/engine/tf';
import { buildModel } from './src/engine/model/builder';
import { parseArchitecture } from './src/shared/architecture';
import { TrainingConfigSchema } from './src/shared/training';
import { createOptimizer } from './src/engine/train/optimizer';
import { createTrainingStep } from './src/engine/train/trainer';
import smallCnn from './resources/architectures/small-cnn.json' with { type: 'json' };
await initBackend('webgpu');
const { model } = buildModel(parseArchitecture(smallCnn), [28, 28, 1], 10, { seed: 1 });
const config = TrainingConfigSchema.parse({ batchSize: 1 });
const opt = createOptimizer('adam', 1e-3);
const step = createTrainingStep(model, config, 10, opt);
const x = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D; const y = tf.tensor1d([1], 'int32');
for (let i = 0; i < 3; i++) { const o = step(x, y); await o.loss.data(); tf.dispose([o.loss, o.correct]); }
const N = Number(process.env.N ?? 30);
let rec = 0; const t0 = performance.now();
const outs = [];
for (let i = 0; i < N; i++) { const t = performance.now(); outs.push(step(x, y)); rec += performance.now() - t; }
await outs[N - 1].loss.data();
const total = performance.now() - t0;
console.log(JSON.stringify({ record_ms_per_step: rec / N, total_ms_per_step: total / N }));
