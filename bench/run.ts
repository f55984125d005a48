// `npm run bench`: measures issues 3 (engine, kbrd step, whole training runs), 4 (retrieval, scoring,
// student), 9 (calibration of multi-seed comparisons), 14 (crsaug serve) and 15 (whole pipeline runs, only with
// BENCH_ONLY=pipeline), and writes bench/RESULTS.md. Each section catches its own failure. Not part of `npm test`.
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/config/paths.js';
import { engine } from '../src/engine/index.js';
import { retrieval } from './augment/retrieval.js';
import { scoring } from './augment/scoring.js';
import { studentScorer } from './augment/student.js';
import { engineVsTorch } from './engine-vs-torch.js';
import { seedSignificance } from './eval/seed-significance.js';
import { describeMachine, ensurePytorch } from './machine.js';
import { wholeRuns } from './pipeline/whole-runs.js';
import { cacheCheck } from './providers/cache-check.js';
import { readSections, runSection, type Section, type SectionResult, writeResults } from './report.js';
import { serveRecommend } from './serve/recommend.js';
import { fullRuns } from './train/full-runs.js';
import { kbrdStep } from './train/kbrd-step.js';

const RESULTS = join(PACKAGE_ROOT, 'bench', 'RESULTS.md');
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());

const python = ensurePytorch();
/** `optIn` sections (the half-hour ReDial pipeline run) run only when BENCH_ONLY names them. */
const sections: Array<Section & { key: string; optIn?: boolean }> = [
  {
    key: 'engine',
    title: '1. Engine vs PyTorch: GEMM and the engine-notes reference step (issue 3)',
    command:
      'npm run bench (bench/engine-vs-torch.ts; PyTorch side: /usr/bin/python3 bench/engine/reference_step.py)',
    run: () => engineVsTorch(python),
  },
  {
    key: 'kbrd-step',
    title: '2. One kbrd training step on ReDial, ours vs PyTorch (issue 3)',
    command:
      'npm run bench (bench/train/kbrd-step.ts; PyTorch side: /usr/bin/python3 bench/train/kbrd_step.py <exported batch>)',
    run: () => kbrdStep(python),
  },
  {
    key: 'retrieval',
    title: '4a. Exact top-50 retrieval over all ReDial contexts, ours vs numpy / PyTorch (issue 4)',
    command:
      'npm run bench (bench/augment/retrieval.ts; numpy/PyTorch side: bench/augment/retrieval_topk.py)',
    run: () => retrieval(python),
  },
  {
    key: 'scoring',
    title: '4b. Teacher scoring throughput against the mock OpenAI-compatible server (issue 4)',
    command: 'npm run bench (bench/augment/scoring.ts)',
    run: scoring,
  },
  {
    key: 'student',
    title: '4c. Student scorer: pairs/s on one core and agreement with the teacher (issue 4)',
    command: 'npm run bench (bench/augment/student.ts)',
    run: studentScorer,
  },
  {
    key: 'cache-check',
    title: '4d. Provider cache: the integrity check at open (issue 13)',
    command:
      'npm run bench (bench/providers/cache-check.ts; alone: node dist/bench/providers/cache-check.js)',
    run: cacheCheck,
  },
  {
    key: 'significance',
    title: '5. Calibration of multi-seed comparisons on simulated runs (issue 9)',
    command: 'npm run bench (bench/eval/seed-significance.ts)',
    run: seedSignificance,
  },
  {
    key: 'serve',
    title: '6. crsaug serve: /v1/recommend throughput and latency, kbrd on ReDial (issue 14)',
    command: 'BENCH_ONLY=serve npm run bench (bench/serve/recommend.ts, load generator bench/serve/load.ts)',
    run: serveRecommend,
  },
  {
    key: 'runs',
    title: '3. Whole training runs: peak memory and wall time (issue 3)',
    command: 'npm run bench (bench/train/full-runs.ts: /usr/bin/time -v node dist/src/cli/index.js train …)',
    run: fullRuns,
  },
  {
    key: 'pipeline',
    title: '7. Whole pipeline runs: `crsaug run` wall time and per-stage profile (issue 15)',
    command:
      'BENCH_ONLY=pipeline npm run bench (bench/pipeline/whole-runs.ts: /usr/bin/time -v node dist/src/cli/index.js run …)',
    run: wholeRuns,
    optIn: true,
  },
];

const results: SectionResult[] = [];
for (const section of sections) {
  if (ONLY ? !ONLY.includes(section.key) : section.optIn) continue;
  results.push(await runSection(section));
}
// Sections not rerun (BENCH_ONLY's others, opt-in ones) keep their text from the existing file.
const kept = [...readSections(RESULTS)].filter(([title]) => sections.some((s) => s.title === title));
writeResults(RESULTS, describeMachine(python), results, new Map(kept));
await engine().dispose();
process.stderr.write(`bench: wrote ${RESULTS}\n`);
