import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { readReportInput } from '../report/parse.js';
import { writeReport } from '../report/write.js';
import { jsonFlag } from './flags.js';

/** `crsaug report`: renders a run into one self-contained HTML page. */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'render a run into a self-contained HTML report (report.html, with the validated report.json beside it)',
    )
    .requiredOption(
      '--in <path>',
      'a run folder (runs/<dataset>), or its results.json or report.json, as crsaug run writes them',
    )
    .option('--out <dir>', 'folder to write report.html and report.json into (default: the run folder)')
    .addOption(jsonFlag('print the written files as JSON'))
    .action(async (flags: { in: string; out?: string; json?: boolean }) => {
      const path = resolve(flags.in);
      const { input } = readReportInput(path);
      const runFolder = statSync(path).isDirectory() ? path : dirname(path);
      const files = await writeReport(resolve(flags.out ?? runFolder), input);
      const kib = statSync(files.html).size / 1024;
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ ...files, htmlKiB: Number(kib.toFixed(1)) })}\n`
          : `wrote ${files.html} (${kib.toFixed(1)} KiB) and ${files.json}\n`,
      );
    });
}
