import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kernelFile } from '../../src/engine/kernels/load.js';

test('npm run build:wasm reproduces the committed kernel binaries byte for byte', () => {
  const out = mkdtempSync(join(tmpdir(), 'crsaug-wasm-'));
  const script = fileURLToPath(new URL('../../../scripts/build-wasm.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--out', out], { stdio: 'pipe' });
  for (const flavour of ['simd', 'relaxed'] as const) {
    const committed = readFileSync(kernelFile(flavour));
    const rebuilt = readFileSync(join(out, fileURLToPath(kernelFile(flavour)).split('/').pop()!));
    assert.ok(
      committed.equals(rebuilt),
      `${flavour} build differs from the committed file; run npm run build:wasm`,
    );
  }
});
