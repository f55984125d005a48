/**
 * Writes test/providers/fixtures/tiny-llama.gguf: a one-block llama model (64-d, 4 heads) with seeded random
 * F32 weights and a small SentencePiece vocabulary (byte fallback), in GGUF v3. It generates gibberish; it
 * exists so tests can load a real GGUF through node-llama-cpp, generate a few tokens and embed.
 */
import { writeFileSync } from 'node:fs';

const ALIGNMENT = 32;
const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };
const GGML_F32 = 0;
const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6 };

class Writer {
  chunks = [];
  length = 0;
  push(buffer) {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }
  u32(v) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  string(s) {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  padTo(alignment) {
    const pad = (alignment - (this.length % alignment)) % alignment;
    if (pad) this.push(Buffer.alloc(pad));
  }
  bytes() {
    return Buffer.concat(this.chunks);
  }
}

function writeValue(w, type, value) {
  if (type === T.UINT32) w.u32(value);
  else if (type === T.INT32) w.i32(value);
  else if (type === T.FLOAT32) w.f32(value);
  else if (type === T.BOOL) w.push(Buffer.from([value ? 1 : 0]));
  else if (type === T.STRING) w.string(value);
  else throw new Error(`unsupported type ${type}`);
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function writeTinyLlama(file, seed = 4321) {
  const random = mulberry32(seed);
  const nEmbd = 64;
  const nHead = 4;
  const nFf = 128;

  // SentencePiece vocabulary: specials, the 256 byte-fallback pieces, then letters and a few whole words.
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TOKEN_TYPE.UNKNOWN, TOKEN_TYPE.CONTROL, TOKEN_TYPE.CONTROL];
  const scores = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_TYPE.BYTE);
    scores.push(0);
  }
  // SentencePiece builds a word by merging neighbouring pieces, so every prefix of a word must be a piece too.
  const words = 'the movie film score horror comedy rate user good bad yes no'.split(' ');
  const prefixes = words.flatMap((w) => Array.from({ length: w.length }, (_, i) => `▁${w.slice(0, i + 1)}`));
  const pieces = ['▁', ...'abcdefghijklmnopqrstuvwxyz0123456789.,:!?'.split(''), ...new Set(prefixes)];
  pieces.forEach((piece, i) => {
    tokens.push(piece);
    types.push(TOKEN_TYPE.NORMAL);
    // Longer pieces outrank shorter ones, so whole words win.
    scores.push(piece.length - 100 - i / 1000);
  });
  const nVocab = tokens.length;

  const weights = (n, scale) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
  const ones = (n) => new Float32Array(n).fill(1);
  const tensors = [
    ['token_embd.weight', [nEmbd, nVocab], weights(nEmbd * nVocab, 0.5)],
    ['output_norm.weight', [nEmbd], ones(nEmbd)],
    ['output.weight', [nEmbd, nVocab], weights(nEmbd * nVocab, 0.5)],
    ['blk.0.attn_norm.weight', [nEmbd], ones(nEmbd)],
    ['blk.0.attn_q.weight', [nEmbd, nEmbd], weights(nEmbd * nEmbd, 0.2)],
    ['blk.0.attn_k.weight', [nEmbd, nEmbd], weights(nEmbd * nEmbd, 0.2)],
    ['blk.0.attn_v.weight', [nEmbd, nEmbd], weights(nEmbd * nEmbd, 0.2)],
    ['blk.0.attn_output.weight', [nEmbd, nEmbd], weights(nEmbd * nEmbd, 0.2)],
    ['blk.0.ffn_norm.weight', [nEmbd], ones(nEmbd)],
    ['blk.0.ffn_gate.weight', [nEmbd, nFf], weights(nEmbd * nFf, 0.2)],
    ['blk.0.ffn_up.weight', [nEmbd, nFf], weights(nEmbd * nFf, 0.2)],
    ['blk.0.ffn_down.weight', [nFf, nEmbd], weights(nFf * nEmbd, 0.2)],
  ];

  const metadata = [
    ['general.architecture', T.STRING, 'llama'],
    ['general.name', T.STRING, 'crsaug tiny random llama (test fixture, random weights)'],
    ['general.alignment', T.UINT32, ALIGNMENT],
    ['llama.context_length', T.UINT32, 256],
    ['llama.embedding_length', T.UINT32, nEmbd],
    ['llama.block_count', T.UINT32, 1],
    ['llama.feed_forward_length', T.UINT32, nFf],
    ['llama.attention.head_count', T.UINT32, nHead],
    ['llama.attention.head_count_kv', T.UINT32, nHead],
    ['llama.rope.dimension_count', T.UINT32, nEmbd / nHead],
    ['llama.attention.layer_norm_rms_epsilon', T.FLOAT32, 1e-5],
    ['tokenizer.ggml.model', T.STRING, 'llama'],
    ['tokenizer.ggml.bos_token_id', T.UINT32, 1],
    ['tokenizer.ggml.eos_token_id', T.UINT32, 2],
    ['tokenizer.ggml.unknown_token_id', T.UINT32, 0],
    ['tokenizer.ggml.add_bos_token', T.BOOL, true],
    ['tokenizer.ggml.add_eos_token', T.BOOL, false],
  ];
  const arrays = [
    ['tokenizer.ggml.tokens', T.STRING, tokens],
    ['tokenizer.ggml.scores', T.FLOAT32, scores],
    ['tokenizer.ggml.token_type', T.INT32, types],
  ];

  const w = new Writer();
  w.push(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length + arrays.length);
  for (const [name, type, value] of metadata) {
    w.string(name);
    w.u32(type);
    writeValue(w, type, value);
  }
  for (const [name, type, values] of arrays) {
    w.string(name);
    w.u32(T.ARRAY);
    w.u32(type);
    w.u64(values.length);
    for (const v of values) writeValue(w, type, v);
  }
  let offset = 0;
  const offsets = tensors.map(([, , data]) => {
    const at = offset;
    offset += Math.ceil(data.byteLength / ALIGNMENT) * ALIGNMENT;
    return at;
  });
  tensors.forEach(([name, dims], i) => {
    w.string(name);
    w.u32(dims.length);
    for (const d of dims) w.u64(d);
    w.u32(GGML_F32);
    w.u64(offsets[i]);
  });
  w.padTo(ALIGNMENT);
  for (const [, , data] of tensors) {
    w.push(Buffer.from(data.buffer));
    w.padTo(ALIGNMENT);
  }
  const bytes = w.bytes();
  writeFileSync(file, bytes);
  return { vocabSize: nVocab, embedding: nEmbd, bytes: bytes.length };
}
