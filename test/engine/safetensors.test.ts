import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  decodeSafetensors,
  Embedding,
  encodeSafetensors,
  LayerNorm,
  Linear,
  loadCheckpointWeights,
  Module,
  readCheckpointConfig,
  saveCheckpoint,
  WEIGHTS_FILE,
} from '../../src/engine/index.js';
import { Rng } from '../../src/util/rng.js';

class Tiny extends Module {
  readonly emb;
  readonly norm;
  readonly out;
  constructor(seed: number) {
    super();
    const rng = new Rng(seed);
    this.emb = this.child('emb', new Embedding(7, 3, rng));
    this.norm = this.child('norm', new LayerNorm(3));
    this.out = this.child('out', new Linear(3, 5, rng));
  }
}

// An independent reader: only the Python standard library, written from the format description.
const PYTHON_READER = `
import json, struct, sys
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n].decode('utf-8'))
data = raw[8 + n:]
out = {'header_len': n, 'metadata': header.pop('__metadata__', None), 'tensors': {}}
for name, e in header.items():
    b, end = e['data_offsets']
    count = (end - b) // 4
    out['tensors'][name] = {'dtype': e['dtype'], 'shape': e['shape'], 'offsets': [b, end],
                            'values': list(struct.unpack('<%df' % count, data[b:end]))}
out['data_len'] = len(data)
print(json.dumps(out))
`;

test('checkpoint round trip: safetensors + config.json, readable by a stdlib Python parser', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-ckpt-'));
  const model = new Tiny(1);
  await saveCheckpoint(dir, model, { kind: 'tiny', dim: 3 }, { stage: '1' });
  assert.deepEqual(readCheckpointConfig(dir), { kind: 'tiny', dim: 3 });
  const copy = new Tiny(2);
  assert.notDeepEqual(Array.from(copy.out.weight.data), Array.from(model.out.weight.data));
  const metadata = await loadCheckpointWeights(dir, copy);
  assert.deepEqual(metadata, { format: 'pt', stage: '1' });
  for (const [name, p] of model.namedParameters()) {
    assert.deepEqual(Array.from(copy.stateDict().get(name)!.data), Array.from(p.data), name);
  }

  const reader = join(dir, 'reader.py');
  writeFileSync(reader, PYTHON_READER);
  const parsed = JSON.parse(execFileSync('python3', [reader, join(dir, WEIGHTS_FILE)], { encoding: 'utf8' }));
  assert.equal(parsed.header_len % 8, 0, 'data starts 8-byte aligned');
  assert.deepEqual(parsed.metadata, { format: 'pt', stage: '1' });
  const names = model.namedParameters().map(([n]) => n);
  assert.deepEqual(Object.keys(parsed.tensors).sort(), [...names].sort());
  let expectedOffset = 0;
  for (const [name, p] of model.namedParameters()) {
    const t = parsed.tensors[name];
    assert.equal(t.dtype, 'F32');
    assert.deepEqual(t.shape, p.shape);
    assert.deepEqual(t.offsets, [expectedOffset, expectedOffset + p.size * 4]);
    expectedOffset += p.size * 4;
    t.values.forEach((v: number, i: number) => {
      assert.equal(Math.fround(v), p.data[i]);
    });
  }
  assert.equal(parsed.data_len, expectedOffset, 'no gaps, no trailing bytes');
  model.free();
  copy.free();
});

test('bad checkpoints give located errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-ckpt-bad-'));
  const model = new Tiny(3);
  const good = encodeSafetensors(model.stateDict());
  const header = JSON.parse(good.subarray(8, 8 + Number(good.readBigUInt64LE(0))).toString());
  header['out.weight'].dtype = 'F16';
  const json = Buffer.from(JSON.stringify(header));
  const bad = Buffer.concat([Buffer.alloc(8), json, good.subarray(8 + Number(good.readBigUInt64LE(0)))]);
  bad.writeBigUInt64LE(BigInt(json.length), 0);
  assert.throws(
    () => decodeSafetensors(bad, 'm.safetensors'),
    /m\.safetensors: field "?out\.weight\.dtype"?.*F16/,
  );
  assert.throws(
    () => decodeSafetensors(good.subarray(0, good.length - 4), 'cut.safetensors'),
    /cut\.safetensors/,
  );
  await assert.rejects(loadCheckpointWeights(dir, model), /missing file: .*model\.safetensors/);
  const other = new (class extends Module {
    readonly w = this.param('w', [2]);
  })();
  writeFileSync(join(dir, WEIGHTS_FILE), encodeSafetensors(other.stateDict()));
  await assert.rejects(loadCheckpointWeights(dir, model), /field "emb\.weight": missing parameter/);
  assert.ok(readFileSync(join(dir, WEIGHTS_FILE)).length > 8);
  model.free();
  other.free();
});

test('a checkpoint whose tensor bytes are scrambled into NaN names the file and the tensor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-ckpt-nan-'));
  const model = new Tiny(3);
  const bytes = encodeSafetensors(model.stateDict());
  // 0xff bytes at the end of the data: the last tensor's last floats become NaN
  bytes.fill(0xff, bytes.length - 8);
  writeFileSync(join(dir, WEIGHTS_FILE), bytes);
  await assert.rejects(
    loadCheckpointWeights(dir, model),
    /model\.safetensors: field "out\.(weight|bias)": 2 of \d+ values are NaN or infinite: the checkpoint is damaged/,
  );
  model.free();
});
