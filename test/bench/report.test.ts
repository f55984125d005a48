import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSections, writeResults } from '../../bench/report.js';

test('a section rerun alone on another machine names it; the sections kept keep the machine they ran on', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'crsaug-bench-')), 'RESULTS.md');
  // A file written before sections named their machine: the header's machine is theirs.
  writeFileSync(
    file,
    [
      '# Benchmark results',
      '',
      'Machine: old box',
      '',
      '## 1. A',
      '',
      'Command: `a` — run x.',
      '',
      'body a',
      '',
    ].join('\n'),
  );
  const fresh = { title: '2. B', command: 'b', body: 'body b', startedAt: 'y', seconds: 1, load: '0.5' };
  writeResults(file, 'new box', [fresh], readSections(file));
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^Latest run's machine: new box \(each section names the machine it ran on\)$/m);
  const sections = readSections(file);
  assert.match(sections.get('1. A')!, /^Command: `a` — run x\.\n\nMachine: old box\n\nbody a$/m);
  assert.match(sections.get('2. B')!, /\n\nMachine: new box\n\nbody b/);
  // Read again and rewritten on a third machine, neither section changes.
  writeResults(file, 'third box', [], sections);
  assert.deepEqual(readSections(file), sections);
});
