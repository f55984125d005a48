import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../src/config/paths.js';

const docs = [
  join(PACKAGE_ROOT, 'README.md'),
  ...readdirSync(join(PACKAGE_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(PACKAGE_ROOT, 'docs', name)),
];

test('no document claims the provider cache never pays twice: calls in flight at a kill are paid again', () => {
  for (const file of docs) {
    assert.doesNotMatch(readFileSync(file, 'utf8'), /never pa(ys?|id)\b[^.]{0,40}twice/i, file);
  }
  const providers = readFileSync(join(PACKAGE_ROOT, 'docs', 'providers.md'), 'utf8');
  assert.match(providers, /Calls in flight at a kill are paid twice/);
  assert.match(providers, /5 of about 2,500 answered calls/);
});
