import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { architectureHash, parseArchitecture } from '../../../src/shared/architecture';
import type { RunConfig } from '../../../src/shared/run-config';
import type { TrainingConfig } from '../../../src/shared/training';
import { trainingSettingsKey } from '../../../src/engine/evaluators/training';
import { loadData } from '../../../src/engine/run/run-data';

/** Runs `code` as an ES module in a child process with an IPC channel (TypeScript imports with `tsx`). */
export function spawnScript(code: string, options: { tsx?: boolean } = {}): ChildProcess {
  const file = join(mkdtempSync(join(tmpdir(), 'gennerator-pool-test-')), options.tsx ? 'script.mts' : 'script.mjs');
  writeFileSync(file, code);
  return fork(file, [], { execArgv: options.tsx ? ['--import', import.meta.resolve('tsx')] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The coordinator's settings key for these data and training settings, and two small networks to train. */
export async function syntheticSettings(data: Pick<RunConfig, 'dataset' | 'seed'>, training: TrainingConfig) {
  const settingsKey = trainingSettingsKey(await loadData(data), training);
  const architectures = [16, 8].map((units) => {
    const architecture = { layers: [{ type: 'flatten' }, { type: 'dense', units }] };
    return { architecture, hash: architectureHash(parseArchitecture(architecture).layers) };
  });
  return { settingsKey, architectures };
}
