#!/usr/bin/env node
/**
 * `npm run -s bench:gpu:bundle -- --out DIR`: a self-contained folder that runs bench:gpu with only
 * a `node` binary (≥ 20.19), for GPU machines without npm access:
 *
 *   DIR/bench-gpu.mjs                        bench/gpu/index.ts and everything it imports, TensorFlow.js included
 *   DIR/gpu-accuracy.mjs, DIR/gpu-memory.mjs bench/gpu/accuracy.ts and memory.ts, likewise (bench:gpu:accuracy, :memory)
 *   DIR/tfjs-backend-wasm*.wasm              the wasm backend's binaries (its loader looks next to the script)
 *   DIR/node_modules/webgpu/                 Dawn's Node binding: index.js + dist/linux-x64/dawn.node
 *
 * Run it as `node DIR/bench-gpu.mjs [bench:gpu flags]`; Linux also needs libvulkan.so.1 and a GPU
 * driver. Dawn stays a real package (not bundled) because it loads dawn.node from its own folder.
 */
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const LIMIT_BYTES = 40 * 2 ** 20;
const root = resolve(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));

const { values } = parseArgs({ options: { out: { type: 'string' }, platform: { type: 'string', default: 'linux-x64' } } });
if (!values.out) {
  process.stderr.write('usage: npm run -s bench:gpu:bundle -- --out DIR [--platform linux-x64|linux-arm64|darwin-universal|win32-x64]\n');
  process.exit(2);
}
const out = resolve(values.out);
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [
    { in: join(root, 'bench/gpu/index.ts'), out: 'bench-gpu' },
    { in: join(root, 'bench/gpu/accuracy.ts'), out: 'gpu-accuracy' },
    { in: join(root, 'bench/gpu/memory.ts'), out: 'gpu-memory' },
  ],
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Identifiers stay: the wasm backend's threaded loader runs its own source text (see wasm.ts) in its workers.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Dawn loads dawn.node from its own folder; tfjs-node(-gpu) are optional and probed at run time.
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // tfjs's CommonJS modules use require, __dirname (the wasm loader finds its .wasm files there).
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __dirnameOf } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __dirnameOf(__filename);',
    ].join('\n'),
  },
});

const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
for (const file of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDist, file), join(out, file));

const dawnPackage = dirname(require.resolve('webgpu/package.json'));
const dawnOut = join(out, 'node_modules/webgpu');
mkdirSync(join(dawnOut, 'dist'), { recursive: true });
for (const file of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(dawnPackage, file), join(dawnOut, file));
cpSync(join(dawnPackage, 'dist', values.platform), join(dawnOut, 'dist', values.platform), { recursive: true });

writeFileSync(
  join(out, 'README.txt'),
  [
    'geNNerator bench:gpu, bundled: needs only node >= 20.19 (and, on Linux, libvulkan.so.1 plus a GPU driver).',
    '',
    '  node bench-gpu.mjs                                   # every backend that loads, both nets',
    '  node bench-gpu.mjs --backends webgpu --steps 50      # the GPU only',
    '  node bench-gpu.mjs --reference torch.json            # ours / PyTorch (bench/gpu/reference.py)',
    '  node bench-gpu.mjs --processes 4 --nets small-cnn    # 4 processes sharing the GPU, summed',
    '  node gpu-accuracy.mjs --data FASHION_MNIST_DIR       # real-data accuracy (reference.py --data for PyTorch)',
    '  node gpu-memory.mjs                                  # 100 candidates in one process: GPU memory before/after',
    '',
    'Flags: --backends --nets --batch-sizes --steps --seconds --warmup --read-every --no-profile --reference --processes --probes',
    `Dawn: ${values.platform}. Prints one JSON object on stdout, progress on stderr.`,
    '',
  ].join('\n'),
);

function sizeOf(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}
const bytes = sizeOf(out);
process.stdout.write(`${relative(process.cwd(), out) || '.'}: ${(bytes / 2 ** 20).toFixed(1)} MB\n`);
if (bytes > LIMIT_BYTES) {
  process.stderr.write(`the bundle is ${(bytes / 2 ** 20).toFixed(1)} MB, over the ${LIMIT_BYTES / 2 ** 20} MB budget\n`);
  process.exit(1);
}
