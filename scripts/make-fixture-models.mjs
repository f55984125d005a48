#!/usr/bin/env node
/**
 * Regenerates the tiny random-weight model fixtures the provider tests load:
 *   test/providers/fixtures/tiny-bert/       (ONNX encoder + WordPiece tokenizer for @huggingface/transformers)
 *   test/providers/fixtures/tiny-llama.gguf  (llama GGUF with a SentencePiece vocabulary for node-llama-cpp)
 * Run: node scripts/make-fixture-models.mjs
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinyLlama } from './make-fixture-models.gguf.mjs';
import { writeTinyBert } from './make-fixture-models.onnx.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'providers', 'fixtures');
const bert = writeTinyBert(join(fixtures, 'tiny-bert'));
console.log(`tiny-bert: vocab ${bert.vocabSize}, hidden ${bert.hidden}, model.onnx ${bert.bytes} bytes`);
const llama = writeTinyLlama(join(fixtures, 'tiny-llama.gguf'));
console.log(`tiny-llama.gguf: vocab ${llama.vocabSize}, embedding ${llama.embedding}, ${llama.bytes} bytes`);
