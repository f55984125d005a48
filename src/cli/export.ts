import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../config/load.js';
import { EXPORT_FORMATS, type ExportFormat, exportSynthetic } from '../data/export/formats.js';
import { readSyntheticFolder } from '../data/export/synthetic-folder.js';
import { loadConfiguredDataset } from '../data/index.js';
import { UsageError } from '../util/errors.js';
import { choiceOption, configOption, type DatasetFlags, jsonFlag, withDatasetFlags } from './flags.js';
import { PACKAGE_VERSION } from './version.js';

interface ExportFlags extends DatasetFlags {
  run: string;
  format: ExportFormat;
  out?: string;
  config?: string;
  json?: boolean;
}

/** `crsaug export`: a run's synthetic labels in the formats other code reads. */
export function register(program: Command): void {
  configOption(
    withDatasetFlags(
      program
        .command('export')
        .description(
          "write a run's synthetic dataset for other code: cfcrs (the processed JSONL CFCRS/UniCRS/FNSCRS read), hf (a Hugging Face dataset folder with its card), crslab (a CRSLab dataset folder)",
        )
        .requiredOption('--run <dir>', 'a `crsaug run` folder (its synthetic/ folder is exported)')
        .addOption(choiceOption('--format <format>', 'what to write', EXPORT_FORMATS).makeOptionMandatory())
        .option('--out <dir>', 'folder to write into (default: <run>/export/<format>)'),
    ),
    'config file (default: <run>/config.resolved.json)',
  )
    .addOption(jsonFlag('print the written files as JSON'))
    .action(async (flags: ExportFlags) => {
      const runDir = resolve(flags.run);
      const runConfig = join(runDir, 'config.resolved.json');
      if (!flags.config && !existsSync(runConfig))
        throw new UsageError(`${flags.run} is not a crsaug run folder (no config.resolved.json)`, {
          hint: 'pass the --out folder of `crsaug run`',
        });
      const config = resolveConfig({
        configFile: flags.config ?? runConfig,
        flags: { dataset: flags.dataset, dataDir: flags.dataDir },
      });
      const synthetic = readSyntheticFolder(runDir);
      const dataset = await loadConfiguredDataset(config);
      const result = await exportSynthetic(
        flags.format,
        {
          synthetic,
          dataset,
          producer: { version: PACKAGE_VERSION, command: `crsaug ${process.argv.slice(2).join(' ')}` },
        },
        resolve(flags.out ?? join(runDir, 'export', flags.format)),
      );
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(result)}\n`
          : `${result.contexts} contexts of synthetic labels (${synthetic.summary.labels} labels) as ${flags.format}:\n${result.files.map((f) => `  ${f}`).join('\n')}\n`,
      );
    });
}
