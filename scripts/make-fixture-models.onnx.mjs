/**
 * Writes test/providers/fixtures/tiny-bert: a one-layer, single-head BERT-shaped encoder (embeddings,
 * layer norm, masked self-attention, dense + tanh, residuals) with seeded random weights, saved as ONNX
 * with a hand-written WordPiece tokenizer, in the folder layout @huggingface/transformers loads offline.
 * The model means nothing; it exists so tests can load a real ONNX encoder through the real pipeline.
 * PyTorch is not needed: the ONNX protobuf is encoded here directly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// --- protobuf wire encoding (only what ONNX's ModelProto needs) ---
const VARINT = 0;
const LEN = 2;
const I32 = 5;

function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    bytes.push(byte);
  } while (v);
  return Buffer.from(bytes);
}

const key = (field, wire) => varint((field << 3) | wire);
const int = (field, value) => Buffer.concat([key(field, VARINT), varint(value)]);
const bytes = (field, data) => Buffer.concat([key(field, LEN), varint(data.length), data]);
const str = (field, text) => bytes(field, Buffer.from(text, 'utf8'));
const msg = (field, parts) => bytes(field, Buffer.concat(parts));
const float = (field, value) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return Buffer.concat([key(field, I32), b]);
};

// --- ONNX messages ---
const FLOAT = 1;
const INT64 = 7;

function tensor(name, dims, dataType, values) {
  const raw =
    dataType === FLOAT
      ? Buffer.from(Float32Array.from(values).buffer)
      : Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer);
  return msg(5, [...dims.map((d) => int(1, d)), int(2, dataType), str(8, name), bytes(9, raw)]);
}

function valueInfo(field, name, elemType, dims) {
  const shape = dims.map((d) => msg(1, [typeof d === 'string' ? str(2, d) : int(1, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])]);
}

function attribute(name, value) {
  if (Array.isArray(value)) return msg(5, [str(1, name), ...value.map((v) => int(8, v)), int(20, 7)]);
  if (Number.isInteger(value)) return msg(5, [str(1, name), int(3, value), int(20, 2)]);
  return msg(5, [str(1, name), float(2, value), int(20, 1)]);
}

let nodeCount = 0;
function node(opType, inputs, outputs, attributes = {}) {
  return msg(1, [
    ...inputs.map((i) => str(1, i)),
    ...outputs.map((o) => str(2, o)),
    str(3, `${opType}_${nodeCount++}`),
    str(4, opType),
    ...Object.entries(attributes).map(([n, v]) => attribute(n, v)),
  ]);
}

// --- seeded weights ---
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

export function writeTinyBert(outDir, seed = 1234) {
  const random = mulberry32(seed);
  const weights = (n, scale = 0.2) => Array.from({ length: n }, () => (random() * 2 - 1) * scale);

  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
  const words =
    `movie movies film horror comedy romance action drama scary funny love like want watch the a and
    i you me good great thriller sci fi space war family kids animated classic new old recommend seen`.split(
      /\s+/,
    );
  const pieces = ['s', 'ing', 'ed', 'er', 'ly'];
  const vocabList = [
    ...specials,
    ...new Set([
      ...words,
      ...letters,
      ...letters.map((l) => `##${l}`),
      ...pieces.map((p) => `##${p}`),
      '.',
      ',',
      '!',
      '?',
      "'",
    ]),
  ];
  const vocab = Object.fromEntries(vocabList.map((t, i) => [t, i]));
  const V = vocabList.length;
  const H = 16;
  const MAX_POS = 128;

  const initializers = [
    tensor('word_embeddings', [V, H], FLOAT, weights(V * H)),
    tensor('position_embeddings', [MAX_POS, H], FLOAT, weights(MAX_POS * H)),
    tensor('token_type_embeddings', [2, H], FLOAT, weights(2 * H)),
    tensor('ln_gamma', [H], FLOAT, new Array(H).fill(1)),
    tensor('ln_beta', [H], FLOAT, new Array(H).fill(0)),
    tensor('w_q', [H, H], FLOAT, weights(H * H, 0.5)),
    tensor('w_k', [H, H], FLOAT, weights(H * H, 0.5)),
    tensor('w_v', [H, H], FLOAT, weights(H * H, 0.5)),
    tensor('w_dense', [H, H], FLOAT, weights(H * H, 0.5)),
    tensor('b_dense', [H], FLOAT, weights(H)),
    tensor('one_index', [], INT64, [1]),
    tensor('zero', [], INT64, [0]),
    tensor('one', [], INT64, [1]),
    tensor('last_axis', [1], INT64, [-1]),
    tensor('mid_axis', [1], INT64, [1]),
    tensor('f_one', [], FLOAT, [1]),
    tensor('neg_big', [], FLOAT, [-10000]),
    tensor('inv_sqrt_h', [], FLOAT, [1 / Math.sqrt(H)]),
  ];

  const nodes = [
    // Embeddings: word + token type + position (positions 0..seq-1 from the input's shape).
    node('Gather', ['word_embeddings', 'input_ids'], ['we']),
    node('Gather', ['token_type_embeddings', 'token_type_ids'], ['te']),
    node('Shape', ['input_ids'], ['ids_shape']),
    node('Gather', ['ids_shape', 'one_index'], ['seq_len']),
    node('Range', ['zero', 'seq_len', 'one'], ['positions']),
    node('Gather', ['position_embeddings', 'positions'], ['pe']),
    node('Add', ['we', 'te'], ['e1']),
    node('Add', ['e1', 'pe'], ['e2']),
    node('LayerNormalization', ['e2', 'ln_gamma', 'ln_beta'], ['x'], { axis: -1, epsilon: 1e-12 }),
    // Single-head self-attention; padded keys get -10000 before the softmax.
    node('MatMul', ['x', 'w_q'], ['q']),
    node('MatMul', ['x', 'w_k'], ['k']),
    node('MatMul', ['x', 'w_v'], ['v']),
    node('Transpose', ['k'], ['kt'], { perm: [0, 2, 1] }),
    node('MatMul', ['q', 'kt'], ['scores_raw']),
    node('Mul', ['scores_raw', 'inv_sqrt_h'], ['scores_scaled']),
    node('Cast', ['attention_mask'], ['mask_f'], { to: FLOAT }),
    node('Sub', ['f_one', 'mask_f'], ['mask_inv']),
    node('Mul', ['mask_inv', 'neg_big'], ['mask_bias_2d']),
    node('Unsqueeze', ['mask_bias_2d', 'mid_axis'], ['mask_bias']),
    node('Add', ['scores_scaled', 'mask_bias'], ['scores']),
    node('Softmax', ['scores'], ['probs'], { axis: -1 }),
    node('MatMul', ['probs', 'v'], ['attended']),
    node('Add', ['x', 'attended'], ['h1']),
    // Feed-forward: dense + tanh with a residual.
    node('MatMul', ['h1', 'w_dense'], ['d1']),
    node('Add', ['d1', 'b_dense'], ['d2']),
    node('Tanh', ['d2'], ['d3']),
    node('Add', ['h1', 'd3'], ['last_hidden_state']),
  ];

  const graph = msg(7, [
    ...nodes,
    str(2, 'tiny_bert'),
    ...initializers,
    valueInfo(11, 'input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'attention_mask', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'token_type_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(12, 'last_hidden_state', FLOAT, ['batch_size', 'sequence_length', H]),
  ]);
  const model = Buffer.concat([
    int(1, 8), // ir_version
    str(2, 'crsaug scripts/make-fixture-models'),
    graph,
    msg(8, [str(1, ''), int(2, 17)]), // opset 17 (LayerNormalization)
  ]);

  mkdirSync(join(outDir, 'onnx'), { recursive: true });
  writeFileSync(join(outDir, 'onnx', 'model.onnx'), model);

  const special = (content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((s, i) => special(s, i)),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  const json = (name, value) => writeFileSync(join(outDir, name), `${JSON.stringify(value, null, 1)}\n`);
  json('tokenizer.json', tokenizer);
  json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: MAX_POS,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  });
  json('config.json', {
    model_type: 'bert',
    architectures: ['BertModel'],
    vocab_size: V,
    hidden_size: H,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: H,
    max_position_embeddings: MAX_POS,
    type_vocab_size: 2,
    pad_token_id: 0,
  });
  return { vocabSize: V, hidden: H, bytes: model.length };
}
