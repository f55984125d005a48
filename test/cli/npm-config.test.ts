import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/config/paths.js';

test('npm commands in the project print no "Unknown project config" warning', () => {
  const npm = spawnSync('npm', ['config', 'get', 'fund'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  assert.equal(npm.status, 0, npm.stderr);
  assert.doesNotMatch(npm.stderr, /Unknown project config/);
});

test("onnxruntime-node's install script (a CUDA download from outside the npm registry) is denied", () => {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.allowScripts['onnxruntime-node'], false);
  // better-sqlite3 builds its binary in its install script: it must stay allowed
  assert.equal(pkg.allowScripts['better-sqlite3'], true);
});
