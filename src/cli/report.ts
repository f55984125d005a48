import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readReportInput } from '../report/parse.js';
import { renderReport } from '../report/render.js';

/** `crsaug report`: renders a run's results.json into one self-contained HTML page. */
export function register(program: Command): void {
  program
    .command('report')
    .description('render results.json of a run into a self-contained HTML report')
    .requiredOption('--in <file>', 'results.json written by crsaug run')
    .option('--out <file>', 'HTML file to write (default: report.html next to the input)')
    .action(async (options: { in: string; out?: string }) => {
      const input = resolve(options.in);
      const out = resolve(options.out ?? join(dirname(input), 'report.html'));
      const html = renderReport(readReportInput(input));
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, html);
      process.stdout.write(`wrote ${out} (${(Buffer.byteLength(html) / 1024).toFixed(1)} KiB)\n`);
    });
}
