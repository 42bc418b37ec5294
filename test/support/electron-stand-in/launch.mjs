/**
 * Runs a built Electron main process (out/main/index.js) under plain Node with the stand-in for the
 * `electron` module: `node launch.mjs <main.js>`, forked with an IPC channel (the test drives the
 * stand-in over it; see electron.mjs). Like Electron, it evaluates the main module first and then
 * emits the app's 'ready'.
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./hooks.mjs', import.meta.url);

const { __standIn } = await import('electron');
try {
  await import(pathToFileURL(process.argv[2]).href);
} catch (error) {
  __standIn.report({ event: 'load-error', message: error?.stack ?? String(error) });
  process.exitCode = 1;
  throw error;
}
__standIn.mainLoaded();
