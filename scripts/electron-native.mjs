#!/usr/bin/env node
/**
 * better-sqlite3 is a native addon built for Node's ABI (the CLI and tests load it). Electron has
 * its own ABI, so the desktop app loads a second build of it, made here once per Electron version:
 * .native/electron-<version>/better_sqlite3.node (main passes it as better-sqlite3's nativeBinding).
 * Needs the internet the first time: a prebuilt binary from better-sqlite3's releases, or else
 * Electron's headers to compile it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const electronVersion = require('electron/package.json').version;
const target = join(root, '.native', `electron-${electronVersion}`, 'better_sqlite3.node');
if (existsSync(target)) process.exit(0);

const source = dirname(require.resolve('better-sqlite3/package.json'));
const work = mkdtempSync(join(tmpdir(), 'gennerator-sqlite-'));
cpSync(source, work, { recursive: true, filter: (path) => !path.includes(`${join(source, 'build')}`) });
const bin = (name) => join(root, 'node_modules', '.bin', name);
// A configured nodedir would make node-gyp compile against Node's headers instead of Electron's.
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key.toLowerCase() !== 'npm_config_nodedir')), npm_config_nodedir: '' };
const run = (command, args) => execFileSync(command, args, { cwd: work, stdio: 'inherit', env });
try {
  console.error(`geNNerator: building better-sqlite3 for Electron ${electronVersion} (once)…`);
  try {
    run(bin('prebuild-install'), ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform]);
  } catch {
    run(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--yes', 'node-gyp', 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers', `--arch=${process.arch}`]);
  }
  const built = join(work, 'build', 'Release', 'better_sqlite3.node');
  // A build Node itself can load has Node's ABI, not Electron's: refuse it rather than crash the app later.
  try {
    process.dlopen({ exports: {} }, built);
    throw new Error("the build has Node's ABI, not Electron's (is a nodedir set in .npmrc?)");
  } catch (error) {
    if (!/NODE_MODULE_VERSION/.test(error.message)) throw error;
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, target);
  console.error(`geNNerator: ${target}`);
} catch (error) {
  console.error(`geNNerator: could not get better-sqlite3 for Electron ${electronVersion}: ${error.message}`);
  console.error('hint: this needs the internet once; meanwhile the CLI and browser mode (`npm run -s cli -- serve`) work without it.');
  process.exit(1);
} finally {
  rmSync(work, { recursive: true, force: true });
}
