/** Imports each module named on the command line (paths relative to the repository), then exits. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

for (const path of process.argv.slice(2)) await import(pathToFileURL(resolve(path)).href);
