// Issue 15: whole `crsaug run`s from an empty run folder and cache, each a fresh process under /usr/bin/time -v:
// wall time, peak memory and the per-stage profile the run's report.json records. INSPIRED (what `npm start`
// runs) with its seeds one at a time and with the default seed workers; ReDial with the defaults.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from '../report.js';
import { timedCli } from '../train/full-runs.js';

interface RunSpec {
  dataset: 'inspired' | 'redial';
  /** run.seedWorkers (undefined: the default). */
  seedWorkers?: number;
  timeoutMin: number;
  /** The goal the issue sets for this run's wall time, in seconds. */
  goalSeconds?: number;
}

const RUNS: RunSpec[] = [
  { dataset: 'inspired', seedWorkers: 1, timeoutMin: 15 },
  { dataset: 'inspired', timeoutMin: 15, goalSeconds: 90 },
  { dataset: 'redial', timeoutMin: 120, goalSeconds: 20 * 60 },
];

interface ReportJson {
  run: { wallSeconds: number };
  cost: Array<{ stage: string; wallSeconds: number }>;
}

const seconds = (s: number) =>
  s >= 120 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;

export async function wholeRuns(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-bench-pipeline-'));
  const summary: Array<Array<string | number>> = [];
  const profiles = new Map<string, Map<string, number>>();
  try {
    for (const spec of RUNS) {
      const name = `${spec.dataset}${spec.seedWorkers === undefined ? '' : ` --seed-workers ${spec.seedWorkers}`}`;
      const args = ['run', '--dataset', spec.dataset, '--seeds', '5'];
      if (spec.seedWorkers !== undefined) args.push('--seed-workers', String(spec.seedWorkers));
      const out = join(dir, name.replace(/\W+/g, '-'));
      const run = await timedCli(
        [...args, '--out', out, '--cache-dir', join(out, 'cache'), '--json'],
        spec.timeoutMin * 60_000,
      );
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
      summary.push([
        `\`crsaug ${args.join(' ')}\``,
        seconds(run.wallSeconds),
        spec.goalSeconds === undefined
          ? '–'
          : `${seconds(spec.goalSeconds)}: ${run.wallSeconds < spec.goalSeconds ? 'met' : 'not met'}`,
        run.maxRssMiB.toFixed(0),
      ]);
      profiles.set(name, new Map(report.cost.map((c) => [c.stage, c.wallSeconds])));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const names = [...profiles.keys()];
  const stages = [...new Set(names.flatMap((n) => [...profiles.get(n)!.keys()]))];
  return [
    'Each run is a fresh process under `/usr/bin/time -v` with an empty run folder and provider cache (`--cache-dir` ' +
      'inside it), 5 seeds, the offline defaults; the INSPIRED runs are `npm start` without its build. ' +
      '"seed workers" trains the seeds of each stage in worker threads (run.seedWorkers, default one per engine thread, ' +
      'threads of finished seeds lent to the ones still training); `--seed-workers 1` trains them one at a time, each ' +
      'kernel split over both threads (the behaviour before). The same seeds give the same results either way ' +
      '(test/pipeline/seed-pool.test.ts).',
    '',
    table(['command', 'wall time', 'goal', 'max RSS MiB'], summary),
    '',
    "Per-stage wall time in seconds (each run's report.json → cost):",
    '',
    table(
      ['stage', ...names.map((n) => `\`${n}\``)],
      stages.map((stage) => [
        stage,
        ...names.map((n) => {
          const s = profiles.get(n)!.get(stage);
          return s === undefined ? '–' : s.toFixed(1);
        }),
      ]),
    ),
  ].join('\n');
}
