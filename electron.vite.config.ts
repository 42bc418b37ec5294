import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  optionalDependencies?: Record<string, string>;
};

export default defineConfig({
  main: {
    build: {
      // electron-vite externalizes `dependencies` by default; that must stay so: tfjs and
      // tfjs-backend-wasm load from node_modules at runtime (the wasm backend finds its .wasm files
      // relative to its own package), and better-sqlite3 is a native addon. The optional
      // tfjs-node(-gpu) packages are not covered by that default and are usually not installed,
      // so they are externalized explicitly: the engine probes for them at runtime.
      externalizeDeps: { include: Object.keys(pkg.optionalDependencies ?? {}) },
      rolldownOptions: {
        // Main is an ES module (package.json "type": "module"; Electron ≥ 28 loads ESM in main).
        // The engine's utility-process entry (src/main/engine-process.ts) is not listed here: main
        // imports it with `?modulePath`, and electron-vite bundles it with this same config as
        // its own chunk under out/main/chunks/.
        input: { index: resolve(root, 'src/main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require packages from node_modules: bundle everything it uses.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: {
          // Sandboxed preloads cannot be ES modules: Electron runs them as CommonJS with a
          // `require` that only knows 'electron' and a few Node built-ins. One self-contained
          // .cjs file (the .cjs extension matters because package.json says "type": "module"),
          // with no split chunks, since a sandboxed preload cannot require files of its own.
          format: 'cjs',
          entryFileNames: '[name].cjs',
          codeSplitting: false,
        },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    build: {
      rolldownOptions: {
        input: { index: resolve(root, 'src/renderer/index.html') },
      },
    },
    plugins: [react()],
  },
});
