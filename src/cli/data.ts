import { join } from 'node:path';
import { Argument, type Command } from 'commander';
import { resolveConfig } from '../config/load.js';
import { resolveDataDir } from '../config/paths.js';
import {
  formatAgreement,
  inspiredConverterAgreement,
  redialConverterAgreement,
} from '../data/convert/agreement.js';
import {
  convertInspiredTsvFile,
  convertLinkedFile,
  convertRedialRawFile,
  DATASETS,
  type DatasetEntry,
  FETCHABLE_DATASETS,
  type FetchableDataset,
  fetchDataset,
  formatStatsTable,
  loadDataset,
  SPLIT_NAMES,
  type SplitName,
  type SplitStats,
  splitStats,
} from '../data/index.js';
import {
  cacheDirOption,
  choiceOption,
  configOption,
  type DatasetFlags,
  jsonFlag,
  splitOption,
  withDatasetFlags,
} from './flags.js';

export function register(program: Command): void {
  const data = program.command('data').description('datasets: list, statistics, download, conversion');

  data
    .command('list')
    .description('the dataset registry: names, descriptions, sources and caveats')
    .addOption(jsonFlag('print the registry entries as one JSON array'))
    .action((flags: { json?: boolean }) => {
      process.stdout.write(
        flags.json ? `${JSON.stringify(DATASETS)}\n` : DATASETS.map(describeEntry).join(''),
      );
    });

  cacheDirOption(
    configOption(
      withDatasetFlags(
        data
          .command('stats')
          .description(
            'per split: dialogues, rec turns, evaluated contexts and (context, gold) pairs, items, entities, KG triples, unknown names',
          ),
      ),
    ),
    'the converted ReDial train split is cached there',
  )
    .addOption(splitOption('--split <split>', 'only this split'))
    .option('--keep-repeated', 'count gold items the context already mentions (the reference removes them)')
    .addOption(jsonFlag('print one JSON object keyed by split'))
    .action(
      async (
        flags: DatasetFlags & {
          config?: string;
          split?: SplitName;
          cacheDir?: string;
          keepRepeated?: boolean;
          json?: boolean;
        },
      ) => {
        const config = resolveConfig({
          configFile: flags.config,
          flags: { dataset: flags.dataset, dataDir: flags.dataDir, cacheDir: flags.cacheDir },
        });
        const removeRepeated = !flags.keepRepeated;
        const dataset = await loadDataset(config.dataset, {
          dataDir: config.dataDir,
          cacheDir: config.cacheDir,
          splits: flags.split ? [flags.split] : undefined,
          removeRepeated,
        });
        const stats: Partial<Record<SplitName, SplitStats>> = {};
        for (const split of SPLIT_NAMES) {
          if (dataset.splits[split]) stats[split] = splitStats(dataset, split, removeRepeated);
        }
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(stats)}\n`);
          return;
        }
        process.stdout.write(
          `${dataset.name}: ${dataset.description}\nfolder: ${dataset.dir}\n\n${formatStatsTable(dataset, stats)}\n`,
        );
      },
    );

  configOption(
    data
      .command('fetch')
      .description(
        'download the official release and the CFCRS/iEvaLM KG files, and convert them for loading',
      )
      .addArgument(new Argument('<dataset>', 'dataset to download').choices(FETCHABLE_DATASETS))
      .option(
        '--data-dir <dir>',
        'data root to write <data-dir>/<dataset>/ into (default: config, CRSAUG_DATA_DIR, else the user cache data folder)',
      ),
  )
    .option('--mirror <url>', 'fetch every file from <url>/<host><path> instead of its official URL')
    .addOption(jsonFlag('print the fetched files and the dataset folder as JSON'))
    .action(
      async (
        name: FetchableDataset,
        flags: { dataDir?: string; config?: string; mirror?: string; json?: boolean },
      ) => {
        const { dataDir } = resolveConfig({ configFile: flags.config, flags: { dataDir: flags.dataDir } });
        const result = await fetchDataset(name, { dataDir, mirror: flags.mirror });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        for (const f of result.files) {
          process.stdout.write(
            `${f.verified ? 'verified' : 'NOT VERIFIED (no known checksum)'} ${f.sha256} ${f.file}\n`,
          );
        }
        process.stdout.write(`${name} is ready in ${result.dir}; use --data-dir ${join(result.dir, '..')}\n`);
      },
    );

  const convert = data.command('convert').description('convert your own raw or linked files');
  convert
    .command('redial-raw <input> <output>')
    .description(
      'official raw ReDial JSONL → CFCRS linked JSONL (approximate entity links, see docs/datasets.md)',
    )
    .requiredOption('--kg-dir <dir>', 'folder with the ReDial id2info.json and entity2type.json')
    .addOption(jsonFlag())
    .action(async (input: string, output: string, flags: { kgDir: string; json?: boolean }) => {
      printConverted(
        flags,
        output,
        await convertRedialRawFile(input, output, flags.kgDir),
        'linked dialogues',
      );
    });
  convert
    .command('inspired-tsv <input> <output>')
    .description('official INSPIRED TSV → CFCRS linked JSONL')
    .requiredOption('--kg-dir <dir>', 'folder with the INSPIRED entity2id.json')
    .addOption(jsonFlag())
    .action(async (input: string, output: string, flags: { kgDir: string; json?: boolean }) => {
      printConverted(
        flags,
        output,
        await convertInspiredTsvFile(input, output, flags.kgDir),
        'linked dialogues',
      );
    });
  convert
    .command('linked <input> <output>')
    .description('CFCRS linked JSONL → processed rec-task JSONL (byte-compatible with CFCRS prepare.py)')
    .addOption(
      choiceOption('--format <format>', 'which linked format', ['redial', 'inspired']).makeOptionMandatory(),
    )
    .addOption(jsonFlag())
    .action(
      async (input: string, output: string, flags: { format: 'redial' | 'inspired'; json?: boolean }) => {
        printConverted(
          flags,
          output,
          await convertLinkedFile(input, output, flags.format),
          'rec-task samples',
        );
      },
    );

  configOption(
    data
      .command('check-converter')
      .description('agreement of the raw → linked converters with the CFCRS linked files on this machine')
      .addArgument(new Argument('<dataset>', 'converter to check').choices(['redial', 'inspired']))
      .option('--data-dir <dir>', 'data root holding redial/ and inspired/ (default: as for every command)'),
  )
    .addOption(jsonFlag('print the agreement objects as JSON'))
    .action(async (name: string, flags: { dataDir?: string; config?: string; json?: boolean }) => {
      const { dataDir } = resolveConfig({ configFile: flags.config, flags: { dataDir: flags.dataDir } });
      const root = resolveDataDir(dataDir).dir;
      const reports =
        name === 'redial'
          ? [await redialConverterAgreement(join(root, 'redial'))]
          : await Promise.all(
              (['valid', 'test'] as const).map((s) => inspiredConverterAgreement(join(root, 'inspired'), s)),
            );
      process.stdout.write(
        flags.json ? `${JSON.stringify(reports)}\n` : `${reports.map(formatAgreement).join('\n')}\n`,
      );
    });
}

function printConverted(flags: { json?: boolean }, output: string, records: number, what: string): void {
  process.stdout.write(
    flags.json ? `${JSON.stringify({ output, records })}\n` : `wrote ${records} ${what} to ${output}\n`,
  );
}

function describeEntry(d: DatasetEntry): string {
  const files = [...d.catalogFiles, ...new Set(Object.values(d.splits).map((s) => s.file))];
  return [
    d.name,
    `  ${d.description}`,
    `  source: ${d.source}`,
    `  files: ${d.folder}/{${files.join(',')}}`,
    ...d.caveats.map((c) => `  caveat: ${c}`),
    '',
  ].join('\n');
}
