/** The networks bench:gpu trains (and bench/gpu/reference.py mirrors in PyTorch). */
import { parseArchitecture, type Architecture } from '../../src/shared/architecture';
import smallCnnJson from '../../resources/architectures/small-cnn.json' with { type: 'json' };

export interface BenchNet {
  architecture: Architecture;
  inputShape: [number, number, number];
  batchSizes: number[];
}

const conv = (filters: number) => ({ type: 'conv2d', filters, kernel: 3, activation: 'relu' }) as const;
const pool = { type: 'maxPool', size: 2 } as const;

export const NETS: Record<string, BenchNet> = {
  /** conv32-conv64-pool-dense128 on 28×28×1 (resources/architectures/small-cnn.json). */
  'small-cnn': { architecture: parseArchitecture(smallCnnJson), inputShape: [28, 28, 1], batchSizes: [64, 256] },
  /** VGG-style: two 3×3 convolutions per width (64, 128, 256), a 2×2 max-pool after each pair, on 32×32×3. */
  vgg6: {
    architecture: parseArchitecture([conv(64), conv(64), pool, conv(128), conv(128), pool, conv(256), conv(256), pool]),
    inputShape: [32, 32, 3],
    batchSizes: [128],
  },
};
