/**
 * A preload (`node --import tsx --import ./test/support/report-tensorflow.ts …`): when the process
 * exits, writes the @tensorflow modules it loaded to $GENNERATOR_TF_REPORT as a JSON list of paths.
 * tfjs loads as CommonJS (its package's "main"), so each of its files is in require.cache; the test
 * that uses this also checks that it does see tfjs when tfjs is loaded.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const report = process.env.GENNERATOR_TF_REPORT;
if (report) {
  process.on('exit', () => {
    const loaded = Object.keys(require.cache).filter((path) => /[\\/]@tensorflow[\\/]/.test(path));
    writeFileSync(report, JSON.stringify(loaded));
  });
}
