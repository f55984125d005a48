// Mutation testing of the method's core with StrykerJS (docs/mutation.md).
//
//   npm run mutation                      every target, one after the other
//   npm run mutation -- train-loss ...    only the named targets, in that order (their rows of the table are replaced)
//   npm run mutation -- --list            the targets, their files and their tests
//   npm run mutation -- --doc             only regenerate docs/mutation.md (e.g. after editing the equivalents)
//
// Each target is one Stryker run: its source files are mutated with mutant schemata (every mutant compiled into
// the code at once, switched on by __STRYKER_ACTIVE_MUTANT__), the sandbox is built once with tsc, and each
// mutant runs only the compiled test files that exercise those sources, through Stryker's command runner.
// Results go to reports/mutation/<target>.{json,html}; the per-file scores and the survivors go into the
// generated part of docs/mutation.md. Survivors listed in scripts/mutation-equivalents.json (with the reason
// they cannot be killed) are reported as equivalent; any other survivor is printed as unexplained.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TEMP_DIR = '.stryker-tmp';
const REPORT_DIR = join('reports', 'mutation');
const DOC = join(ROOT, 'docs', 'mutation.md');
const EQUIVALENTS = join(ROOT, 'scripts', 'mutation-equivalents.json');
const RESULTS = join(ROOT, 'docs', 'mutation-results.json');
const BEGIN = '<!-- mutation-scores:begin -->';
const END = '<!-- mutation-scores:end -->';

/** Each target: the sources Stryker mutates and the test files (under test/, as .ts) that exercise them. */
const TARGETS = [
  {
    name: 'eval-metrics',
    mutate: ['src/eval/metrics.ts'],
    tests: ['eval/metrics', 'eval/protocol', 'eval/long-tail'],
  },
  { name: 'eval-protocol', mutate: ['src/eval/protocol.ts'], tests: ['eval/protocol'] },
  { name: 'eval-topk', mutate: ['src/eval/topk.ts'], tests: ['eval/topk', 'augment/retrieve-topk'] },
  { name: 'eval-aggregate', mutate: ['src/eval/aggregate.ts'], tests: ['eval/aggregate'] },
  { name: 'eval-evaluate', mutate: ['src/eval/evaluate.ts'], tests: ['eval/evaluate', 'models/baselines'] },
  { name: 'eval-format', mutate: ['src/eval/format.ts'], tests: ['eval/aggregate', 'eval/format'] },
  { name: 'eval-long-tail', mutate: ['src/eval/long-tail.ts'], tests: ['eval/long-tail'] },
  { name: 'eval-outputs', mutate: ['src/eval/outputs.ts'], tests: ['eval/evaluate'] },
  { name: 'eval-predictions', mutate: ['src/eval/predictions.ts'], tests: ['eval/predictions'] },
  { name: 'eval-significance', mutate: ['src/eval/significance.ts'], tests: ['eval/significance'] },
  {
    name: 'eval-seed-significance',
    mutate: ['src/eval/seed-significance.ts'],
    tests: ['eval/seed-significance'],
  },
  { name: 'eval-holm', mutate: ['src/eval/holm.ts'], tests: ['eval/holm'] },
  { name: 'train-loss', mutate: ['src/train/loss.ts'], tests: ['train/loss', 'train/stages'] },
  {
    name: 'train-trainer',
    mutate: ['src/train/trainer.ts'],
    tests: ['train/trainer', 'train/loss'],
  },
  {
    name: 'augment-synthesize',
    mutate: ['src/augment/synthesize.ts'],
    tests: ['augment/synthesize', 'augment/synthesize-tiny'],
  },
  {
    name: 'augment-retrieve',
    mutate: ['src/augment/retrieve.ts'],
    tests: ['augment/retrieve', 'augment/retrieve-tiny'],
  },
  {
    name: 'providers-cache',
    mutate: ['src/providers/middleware/cache.ts', 'src/providers/middleware/cache-store.ts'],
    tests: ['providers/cache', 'providers/cache-damage', 'augment/batch'],
  },
  {
    name: 'providers-limits',
    mutate: [
      'src/providers/middleware/limits.ts',
      'src/providers/middleware/semaphore.ts',
      'src/providers/middleware/token-bucket.ts',
      'src/providers/middleware/wrap.ts',
    ],
    tests: ['providers/limits', 'providers/middleware'],
  },
  {
    name: 'providers-retry',
    mutate: ['src/providers/middleware/retry.ts'],
    tests: ['providers/limits', 'providers/middleware'],
  },
  {
    name: 'providers-usage',
    mutate: ['src/providers/middleware/usage.ts'],
    tests: ['providers/cache', 'providers/middleware'],
  },
];

function testCommand(tests) {
  const files = tests.map((t) => `dist/test/${t}.test.js`);
  return `node --test --test-concurrency=1 ${files.join(' ')}`;
}

function parseArgs(argv) {
  if (argv.includes('--list')) {
    for (const t of TARGETS)
      console.log(`${t.name}\n  mutates ${t.mutate.join(', ')}\n  runs    ${testCommand(t.tests)}`);
    process.exit(0);
  }
  const unknown = argv.filter((a) => !TARGETS.some((t) => t.name === a));
  if (unknown.length) {
    console.error(`unknown target(s): ${unknown.join(', ')} (npm run mutation -- --list shows them)`);
    process.exit(2);
  }
  return argv.length ? argv.map((name) => TARGETS.find((t) => t.name === name)) : TARGETS;
}

/**
 * Tests find the shared data as ../shared next to the working folder; the sandbox is
 * .stryker-tmp/sandbox-*, so .stryker-tmp/shared points at the real one.
 */
function linkSharedData() {
  const shared = join(ROOT, '..', 'shared');
  const link = join(ROOT, TEMP_DIR, 'shared');
  mkdirSync(join(ROOT, TEMP_DIR), { recursive: true });
  if (existsSync(shared) && !existsSync(link)) symlinkSync(realpathSync(shared), link);
}

async function runTarget(target) {
  const started = Date.now();
  const options = {
    testRunner: 'command',
    allowConsoleColors: false,
    commandRunner: { command: testCommand(target.tests) },
    // Built once per target in the sandbox, with every mutant compiled in (mutant schemata).
    buildCommand: 'tsc -p tsconfig.json',
    mutate: target.mutate,
    coverageAnalysis: 'off',
    concurrency: 1,
    tempDirName: TEMP_DIR,
    ignorePatterns: ['dist', 'runs', 'test-artifacts', 'reports', '.crsaug-cache'],
    timeoutMS: 10_000,
    reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
    clearTextReporter: { allowColor: false, logTests: false },
    jsonReporter: { fileName: join(REPORT_DIR, `${target.name}.json`) },
    htmlReporter: { fileName: join(REPORT_DIR, `${target.name}.html`) },
    thresholds: { high: 90, low: 85, break: null },
  };
  const results = await new Stryker(options).runMutationTest();
  return { target, results, seconds: (Date.now() - started) / 1000 };
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function sourceLine(file, line) {
  return readFileSync(join(ROOT, file), 'utf8').split('\n')[line - 1]?.trim() ?? '';
}

/** The mutated code (original text of the mutant's range). */
function originalText(file, location) {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const { start, end } = location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [
    lines[start.line - 1].slice(start.column - 1),
    ...lines.slice(start.line, end.line - 1),
    lines[end.line - 1].slice(0, end.column - 1),
  ].join('\n');
}

function loadEquivalents() {
  return existsSync(EQUIVALENTS) ? JSON.parse(readFileSync(EQUIVALENTS, 'utf8')) : [];
}

/** A survivor matches an equivalent entry by file, mutator, original and replaced code, and the source line it sits on (not its number, which moves). */
function equivalentOf(equivalents, survivor) {
  return equivalents.find((e) =>
    ['file', 'mutator', 'original', 'replacement', 'line'].every((key) => e[key] === survivor[key]),
  );
}

function summarize({ target, results, seconds }) {
  const perFile = new Map(
    target.mutate.map((f) => [f, { file: f, mutants: 0, killed: 0, invalid: 0, survivors: [] }]),
  );
  for (const r of results) {
    const row = perFile.get(relative(ROOT, resolve(ROOT, r.fileName)));
    if (!row) continue;
    if (DETECTED.has(r.status)) row.killed++;
    else if (UNDETECTED.has(r.status)) {
      row.survivors.push({
        at: r.location.start.line,
        status: r.status,
        mutator: r.mutatorName,
        original: originalText(row.file, r.location),
        replacement: r.replacement,
        line: sourceLine(row.file, r.location.start.line),
      });
    } else row.invalid++; // CompileError, RuntimeError, Ignored: not counted (Stryker's rule)
  }
  for (const row of perFile.values()) row.mutants = row.killed + row.survivors.length;
  return { target: target.name, command: testCommand(target.tests), seconds, files: [...perFile.values()] };
}

/** Each survivor with the reason it is equivalent (from scripts/mutation-equivalents.json), or none. */
function explain(files, equivalents) {
  return files.map((f) => {
    const survivors = f.survivors.map((v) => ({
      ...v,
      reason: equivalentOf(equivalents, { ...v, file: f.file })?.reason,
    }));
    return { ...f, survivors, equivalent: survivors.filter((v) => v.reason).length };
  });
}

const pct = (n, of) => (of ? `${((100 * n) / of).toFixed(1)} %` : '—');
// Table cells: one line, and a pipe escaped even inside code (GitHub tables split on it otherwise).
const cell = (s) => s.replace(/\s+/g, ' ').replaceAll('|', '\\|');
const code = (s) => `\`${cell(s).replace(/`/g, "'")}\``;

function scoreRow(s, f) {
  return `| ${code(f.file)} | ${s.target} | ${f.mutants} | ${f.killed} | ${f.survivors.length} | ${f.equivalent} | ${pct(f.killed, f.mutants)} | ${pct(f.killed + f.equivalent, f.mutants)} |`;
}

function survivorRows(s) {
  return s.files.flatMap((f) =>
    f.survivors.map(
      (v) =>
        `| ${code(`${f.file}:${v.at}`)} | ${v.mutator} | ${code(v.original)} → ${code(v.replacement)} | ${v.reason ? `equivalent: ${cell(v.reason)}` : '**unexplained**'} |`,
    ),
  );
}

/** Stores the targets just run in docs/mutation-results.json and regenerates the table part of docs/mutation.md from it. */
function updateDoc(summaries) {
  const stored = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
  const runAt = new Date().toISOString().slice(0, 16).replace('T', ' ');
  for (const s of summaries) stored[s.target] = { ...s, runAt };
  const ordered = Object.fromEntries(
    TARGETS.filter((t) => stored[t.name]).map((t) => [t.name, stored[t.name]]),
  );
  writeFileSync(RESULTS, `${JSON.stringify(ordered, null, 2)}\n`);
  const equivalents = loadEquivalents();
  const all = Object.values(ordered).map((s) => ({ ...s, files: explain(s.files, equivalents) }));
  const body = [
    '',
    '_Generated by `npm run mutation` (scripts/mutation.mjs) from docs/mutation-results.json; do not edit by hand: rerun it (`npm run mutation -- TARGET` reruns one target)._',
    '',
    '### Score per file',
    '',
    '| file | target | mutants | killed | survived | of which equivalent | killed / mutants | (killed + equivalent) / mutants |',
    '|---|---|---|---|---|---|---|---|',
    ...all.flatMap((s) => s.files.map((f) => scoreRow(s, f))),
    '',
    '### Survivors',
    '',
    '| where | mutator | mutation | why it survives |',
    '|---|---|---|---|',
    ...all.flatMap(survivorRows),
    '',
    '### Targets',
    '',
    '| target | command run for each mutant (in the sandbox) | run time | run at (UTC) |',
    '|---|---|---|---|',
    ...all.map((s) => `| ${s.target} | ${code(s.command)} | ${Math.round(s.seconds)} s | ${s.runAt} |`),
    '',
  ].join('\n');
  const doc = readFileSync(DOC, 'utf8');
  const [head, rest] = doc.split(BEGIN);
  const tail = rest.split(END)[1];
  writeFileSync(DOC, `${head}${BEGIN}${body}${END}${tail}`);
}

if (process.argv.includes('--doc')) {
  updateDoc([]);
  process.exit(0);
}
const targets = parseArgs(process.argv.slice(2));
process.chdir(ROOT);
linkSharedData();
const summaries = [];
try {
  for (const target of targets) {
    console.log(`\n=== ${target.name}: ${target.mutate.join(', ')}\n    ${testCommand(target.tests)}\n`);
    const summary = summarize(await runTarget(target));
    summaries.push(summary);
    updateDoc([summary]);
  }
} finally {
  rmSync(join(ROOT, TEMP_DIR, 'shared'), { force: true });
}
const files = explain(
  summaries.flatMap((s) => s.files),
  loadEquivalents(),
);
console.log('');
for (const f of files) {
  console.log(
    `${f.file}: ${f.killed}/${f.mutants} killed (${pct(f.killed, f.mutants)}), ${f.equivalent} of ${f.survivors.length} survivors equivalent`,
  );
  for (const v of f.survivors.filter((x) => !x.reason))
    console.log(`  unexplained: line ${v.at} ${v.mutator}: ${v.original} → ${v.replacement}`);
}
const unexplained = files.reduce((n, f) => n + f.survivors.length - f.equivalent, 0);
const low = files.filter((f) => f.mutants && f.killed / f.mutants < 0.85).length;
console.log(`${unexplained} unexplained survivor(s); ${low} file(s) under 85 % killed`);
process.exitCode = unexplained || low ? 1 : 0;
