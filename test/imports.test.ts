import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../src/config/paths.js';
import { BACKBONE_NAMES } from '../src/models/registry.js';

/** The layering rules of docs and README, checked on the source: who may import whom. */

const SRC = join(PACKAGE_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import and re-export of each file (type-only ones included), as paths under src/. */
const IMPORTS = new Map(
  sourceFiles(SRC).map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)].map((m) =>
      relative(SRC, resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
    );
    return [relative(SRC, file), targets] as const;
  }),
);

test('src has no import cycle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') assert.fail(`import cycle: ${[...path, file].join(' → ')}`);
    state.set(file, 'open');
    for (const target of IMPORTS.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of IMPORTS.keys()) visit(file, []);
  assert.ok(IMPORTS.size > 100, 'the source tree was read');
});

test('the CLI reaches the augment layer only through the stage API; models never import it', () => {
  for (const [file, targets] of IMPORTS) {
    for (const target of targets.filter((t) => t.startsWith('augment/'))) {
      if (file.startsWith('cli/'))
        assert.equal(target, 'augment/stages/index.ts', `${file} imports ${target}`);
      assert.ok(!file.startsWith('models/'), `${file} imports ${target}`);
    }
  }
});

test('backbone names are spelled only in the model table', () => {
  // 'text' is also an ordinary word (a table column's format); the names that are only names are checked.
  const names = BACKBONE_NAMES.filter((name) => name !== 'text');
  for (const file of IMPORTS.keys()) {
    if (file === 'models/registry.ts') continue;
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const name of names) assert.ok(!text.includes(`'${name}'`), `${file} spells the backbone '${name}'`);
  }
});
