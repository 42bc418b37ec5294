/**
 * Our webgpu training kernels against tfjs-backend-webgpu's own, one kernel at a time, on the layer
 * shapes of bench:gpu's networks. `npm run -s bench:gpu:kernels -- [--batch N] [--repeat N]` prints
 * {"device", "batch", "cases": [{"kernel", "shape", "stock_ms", "ours_ms", "speedup"}]}; times are
 * GPU timestamps (tf.profile), median of --repeat runs after one warm-up.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../../src/engine/backends';
import { registerWebGpuKernels } from '../../src/engine/backends/webgpu-kernels';
import { tf } from '../../src/engine/tf';

const { values: flags } = parseArgs({ options: { batch: { type: 'string', default: '64' }, repeat: { type: 'string', default: '3' } } });
const batch = Number(flags.batch);
const repeat = Number(flags.repeat);

type Shape4 = [number, number, number, number];
interface Case {
  kernel: string;
  shape: string;
  run: () => tf.Tensor;
}

const random = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 1);

function convFilterCase(name: string, x: Shape4, filter: Shape4): Case {
  return {
    kernel: 'Conv2DBackpropFilter',
    shape: `${name}: x ${x.join('×')}, filter ${filter.join('×')}`,
    run: () => tf.tidy(() => {
      const input = random(x) as tf.Tensor4D;
      const dy = random([x[0], x[1], x[2], filter[3]]);
      return tf.grad((w: tf.Tensor) => tf.conv2d(input, w as tf.Tensor4D, 1, 'same').mul(dy).sum())(random(filter) as tf.Tensor4D);
    }),
  };
}

function maxPoolGradCase(name: string, x: Shape4): Case {
  return {
    kernel: 'MaxPoolGrad',
    shape: `${name}: x ${x.join('×')}, 2×2 stride 2`,
    run: () => tf.tidy(() => {
      const dy = random([x[0], x[1] / 2, x[2] / 2, x[3]]);
      return tf.grad((input: tf.Tensor) => tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid').mul(dy).sum())(random(x) as tf.Tensor4D);
    }),
  };
}

const CASES: Case[] = [
  convFilterCase('small-cnn conv1', [batch, 28, 28, 1], [3, 3, 1, 32]),
  convFilterCase('small-cnn conv2', [batch, 28, 28, 32], [3, 3, 32, 64]),
  convFilterCase('vgg6 conv2', [batch, 32, 32, 64], [3, 3, 64, 64]),
  convFilterCase('vgg6 conv6', [batch, 8, 8, 256], [3, 3, 256, 256]),
  maxPoolGradCase('small-cnn pool', [batch, 28, 28, 64]),
];

async function kernelMs(c: Case): Promise<number> {
  tf.dispose(c.run()); // compiles the pipelines
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const info = await tf.profile(async () => {
      const out = c.run();
      await out.data();
      out.dispose();
    });
    times.push(info.kernels.filter((k) => k.name === c.kernel).reduce((s, k) => s + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0), 0));
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const report = await initBackend('webgpu');
const cases = [];
for (const c of CASES) {
  process.env.GENNERATOR_WEBGPU_KERNELS = 'none';
  registerWebGpuKernels();
  const stock = await kernelMs(c);
  process.env.GENNERATOR_WEBGPU_KERNELS = 'all';
  registerWebGpuKernels();
  const ours = await kernelMs(c);
  const row = { kernel: c.kernel, shape: c.shape, stock_ms: Number(stock.toPrecision(3)), ours_ms: Number(ours.toPrecision(3)), speedup: Number((stock / ours).toPrecision(3)) };
  process.stderr.write(`${JSON.stringify(row)}\n`);
  cases.push(row);
}
process.stdout.write(`${JSON.stringify({ device: report.device, batch, cases })}\n`);
