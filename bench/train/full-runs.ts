// Issue 3, whole runs: peak memory (max RSS) and wall time of complete `crsaug train` runs in child processes,
// measured by GNU time, for each backbone the CLI supports.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import { table } from '../report.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'index.js');
const GNU_TIME = '/usr/bin/time';
const MEMORY_TARGET_GB = 2;

export interface ChildRun {
  /** Maximum resident set size in MiB (GNU time's "Maximum resident set size"). */
  maxRssMiB: number;
  wallSeconds: number;
  stdout: string;
}

/**
 * Runs the CLI under `/usr/bin/time -v` in its own process group, so a run over `timeoutMs` is stopped whole
 * (time and node) and reported as such.
 */
export function timedCli(args: readonly string[], timeoutMs: number): Promise<ChildRun> {
  if (!existsSync(GNU_TIME)) return Promise.reject(new Error(`${GNU_TIME} missing (Debian package "time")`));
  return new Promise((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-v', process.execPath, CLI, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    // Progress lines are many; GNU time's report is at the end, so the tail is enough.
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGTERM');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return reject(new Error(`stopped after the bench's ${timeoutMs / 60_000} min limit`));
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(stderr);
      if (code !== 0 || !rss || !wall) {
        const why = stderr
          .split('\n')
          .filter((l) => l.trim() && !/^\s/.test(l))
          .slice(-3)
          .join(' / ');
        return reject(new Error(`crsaug ${args.join(' ')} exited ${code}: ${why}`));
      }
      const wallSeconds = wall[1]!.split(':').reduce((s, part) => s * 60 + Number(part), 0);
      resolve({ maxRssMiB: Number(rss[1]) / 1024, wallSeconds, stdout });
    });
  });
}

interface TrainJson {
  samples: number;
  'recall@50': number;
  runs: Array<{ bestEpoch: number; trainSeconds: number }>;
}

interface RunSpec {
  dataset: 'redial' | 'inspired';
  model: 'kbrd' | 'text' | 'embed-head';
  timeoutMin: number;
}

const RUNS: RunSpec[] = [
  { dataset: 'redial', model: 'kbrd', timeoutMin: 15 },
  { dataset: 'inspired', model: 'kbrd', timeoutMin: 5 },
  { dataset: 'inspired', model: 'text', timeoutMin: 5 },
  { dataset: 'inspired', model: 'embed-head', timeoutMin: 5 },
  { dataset: 'redial', model: 'embed-head', timeoutMin: 10 },
  { dataset: 'redial', model: 'text', timeoutMin: 20 },
];

const cell = (x: number, digits = 0) => x.toFixed(digits);

export async function fullRuns(): Promise<string> {
  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-bench-runs-'));
  try {
    for (const spec of RUNS) {
      const out = join(dir, `${spec.dataset}-${spec.model}`);
      const args = [
        'train',
        '--dataset',
        spec.dataset,
        '--model',
        spec.model,
        '--mode',
        'baseline',
        '--seeds',
        '1',
      ];
      let prepared = '';
      // The command as shown: temp folders by role, not by their random names.
      const shown = [...args];
      try {
        if (spec.model === 'embed-head') {
          // embed-head reads context embeddings: `augment retrieve` with the builtin offline embedder first.
          const embeddings = join(dir, `${spec.dataset}-augment`);
          const retrieve = await timedCli(
            [
              'augment',
              'retrieve',
              '--dataset',
              spec.dataset,
              '--splits',
              'train,valid,test',
              '--out',
              embeddings,
              '--cache-dir',
              join(dir, 'cache'),
              '--json',
            ],
            spec.timeoutMin * 60_000,
          );
          prepared = `; \`augment retrieve\` before it: ${cell(retrieve.wallSeconds)} s, max RSS ${cell(retrieve.maxRssMiB)} MiB`;
          args.push('--embeddings', embeddings);
          shown.push('--embeddings', '<retrieve out>');
        }
        const run = await timedCli([...args, '--out', out, '--json', '--quiet'], spec.timeoutMin * 60_000);
        const result = JSON.parse(run.stdout) as TrainJson;
        const seed = result.runs[0]!;
        const underTarget = run.maxRssMiB < MEMORY_TARGET_GB * 1024;
        rows.push([
          `\`crsaug ${shown.join(' ')} --out <tmp>\``,
          result.samples,
          seed.bestEpoch,
          cell(seed.trainSeconds),
          cell(run.wallSeconds),
          `${cell(run.maxRssMiB)}${underTarget ? '' : ' (over 2 GB target)'}`,
          `${(result['recall@50'] * 100).toFixed(2)}`,
        ]);
        if (prepared) notes.push(`- ${spec.dataset} embed-head${prepared}.`);
      } catch (error) {
        rows.push([`\`crsaug ${shown.join(' ')} --out <tmp>\``, '–', '–', '–', '–', '–', '–']);
        notes.push(
          `- ${spec.dataset} ${spec.model}: failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    'Each run is a fresh child process under `/usr/bin/time -v`, with the trainer defaults (5 epochs, batch 64, ' +
      'threads = cores); "train s" is the trainer’s own `trainSeconds` (the 5 epochs incl. per-epoch valid evaluation, ' +
      'no data loading or test evaluation), "wall s" is the whole process. Target: max RSS < 2 GB (2,048 MiB).',
    '',
    table(
      ['command', 'train samples', 'best epoch', 'train s', 'wall s', 'max RSS MiB', 'test R@50 %'],
      rows,
    ),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
