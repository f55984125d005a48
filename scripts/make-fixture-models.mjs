#!/usr/bin/env node
/**
 * Regenerates the tiny random-weight model fixtures the provider tests load:
 *   test/providers/fixtures/tiny-bert/   (ONNX encoder + WordPiece tokenizer for @huggingface/transformers)
 * Run: node scripts/make-fixture-models.mjs
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinyBert } from './make-fixture-models.onnx.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'providers', 'fixtures');
const bert = writeTinyBert(join(fixtures, 'tiny-bert'));
console.log(`tiny-bert: vocab ${bert.vocabSize}, hidden ${bert.hidden}, model.onnx ${bert.bytes} bytes`);
