/**
 * NAS-Bench-201 cells as every process reads them: the operations, the cell's six edges, the arch
 * string parsed edge by edge, and a cell's parameter count in the benchmark's network. The engine's
 * table (src/engine/evaluators/nb201.ts) and the renderer's drawings and analysis share them.
 */

/** Operations in the order an action vector numbers them. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** For each edge in string order: [target node, source node]. */
export const NB201_EDGES: readonly (readonly [number, number])[] = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
];

/** How people read an operation. */
export const NB201_OP_LABELS: Readonly<Record<string, string>> = {
  none: 'none',
  skip_connect: 'skip',
  nor_conv_1x1: 'conv 1×1',
  nor_conv_3x3: 'conv 3×3',
  avg_pool_3x3: 'avg pool 3×3',
};

/** An edge as people read it: "edge 2←1". */
export function nb201EdgeLabel(edge: number): string {
  const [to, from] = NB201_EDGES[edge];
  return `edge ${to}←${from}`;
}

/** The 6 edges of a NAS-Bench-201 cell string, in string order, or an error. */
export function parseNb201Cell(arch: string): Array<{ from: number; to: number; op: string }> | { error: string } {
  const parts = arch.split('+');
  if (parts.length !== 3) return { error: `not a NAS-Bench-201 cell: "${arch}"` };
  const edges: Array<{ from: number; to: number; op: string }> = [];
  for (let to = 1; to <= 3; to++) {
    const ops = parts[to - 1].split('|').filter((p) => p.length > 0);
    if (ops.length !== to) return { error: `not a NAS-Bench-201 cell: node ${to} has ${ops.length} inputs` };
    for (const item of ops) {
      const [op, from] = item.split('~');
      const source = Number(from);
      if (!op || !Number.isInteger(source) || source < 0 || source >= to) return { error: `not a NAS-Bench-201 cell: "${item}"` };
      edges.push({ from: source, to, op });
    }
  }
  return edges;
}

/** The benchmark network's channels per stage: 5 cells each, a residual reduction block between stages. */
const STAGE_CHANNELS = [16, 32, 64] as const;
const CELLS_PER_STAGE = 5;

/** ReLU-Conv(k×k, no bias)-BatchNorm(affine) from cIn to cOut channels. */
const reluConvBn = (k: number, cIn: number, cOut: number) => k * k * cIn * cOut + 2 * cOut;

/**
 * Trainable parameters of the NAS-Bench-201 network with this cell (the benchmark's
 * macro-skeleton: a 3×3 stem to 16 channels, three stages of five cells at 16, 32 and 64 channels,
 * a residual block halving the resolution between stages, then BatchNorm and a linear classifier).
 * Of the operations only the convolutions carry weights. For CIFAR-10 this gives 1,531,546 for the
 * all-conv-3×3 cell and 73,306 for cells without convolutions, the benchmark's published counts.
 */
export function nb201Params(ops: readonly string[], numClasses: number): number {
  const cell = (c: number) =>
    ops.reduce((sum, op) => sum + (op === 'nor_conv_3x3' ? reluConvBn(3, c, c) : op === 'nor_conv_1x1' ? reluConvBn(1, c, c) : 0), 0);
  let total = 3 * 3 * 3 * STAGE_CHANNELS[0] + 2 * STAGE_CHANNELS[0]; // stem: conv 3×3 from RGB, BatchNorm
  STAGE_CHANNELS.forEach((c, stage) => {
    if (stage > 0) {
      const cIn = STAGE_CHANNELS[stage - 1];
      // Residual block: two ReLU-Conv-BN 3×3 and a 1×1 convolution on the shortcut.
      total += reluConvBn(3, cIn, c) + reluConvBn(3, c, c) + cIn * c;
    }
    total += CELLS_PER_STAGE * cell(c);
  });
  const last = STAGE_CHANNELS[STAGE_CHANNELS.length - 1];
  return total + 2 * last + last * numClasses + numClasses; // BatchNorm, linear classifier
}

/** Classes of each dataset the benchmark has results for (the classifier's outputs). */
export const NB201_CLASSES: Readonly<Record<string, number>> = { cifar10: 10, cifar100: 100, imagenet16: 120 };
