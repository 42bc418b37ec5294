import type { Command } from 'commander';
import { createOutput } from '../output';

export function registerBackends(program: Command): void {
  program
    .command('backends')
    .description('list the TensorFlow.js backends that load here and the one that would be used')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      // Loaded only here: the other commands never load TensorFlow.js.
      const { initBackend } = await import('../../engine/backends');
      const report = await initBackend('auto');
      const output = createOutput(Boolean(options.json));
      if (output.json) {
        process.stdout.write(`${JSON.stringify({ chosen: report.name, device: report.device, backends: report.probes })}\n`);
        return;
      }
      for (const probe of report.probes) {
        const mark = probe.name === report.name ? '→' : probe.available ? '✓' : '✗';
        const status = probe.available ? ['available', probe.device, probe.autoSkip && `auto passes over it: ${probe.autoSkip}`].filter(Boolean).join('; ') : probe.reason ?? 'unavailable';
        output.line(`${mark} ${probe.name.padEnd(15)} ${status}`);
      }
      output.line(`\nusing ${report.name}: ${report.device}`);
    });
}
