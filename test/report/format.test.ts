import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decimalsNeeded,
  formatMeanStd,
  formatMoney,
  formatNumber,
  formatPValue,
  formatSeconds,
  formatTick,
  metricFormat,
  metricHeader,
} from '../../src/report/format.js';

test('rank metrics are percent with two decimals; other metrics keep their kind', () => {
  assert.equal(metricFormat('recall@10'), 'percent');
  assert.equal(metricFormat('NDCG@50'), 'percent');
  assert.equal(metricFormat('coverage@10'), 'integer');
  assert.equal(metricFormat('entropy@10'), 'number');
  assert.equal(metricHeader('recall@10'), 'Recall@10 (%)');
  assert.equal(metricHeader('mrr@50'), 'MRR@50 (%)');
  assert.equal(metricHeader('coverage@10'), 'Coverage@10');
  assert.equal(formatMeanStd(0.17342, 0.00519, 'percent'), '17.34 ± 0.52');
  assert.equal(formatMeanStd(0.1, 0, 'percent'), '10.00 ± 0.00');
});

test('plain numbers line up per column and use a fixed locale', () => {
  assert.equal(decimalsNeeded([2.5, 2.75, 3]), 2);
  assert.equal(decimalsNeeded([1, 20, 300]), 0);
  assert.equal(decimalsNeeded([0.12345]), 3);
  assert.equal(formatNumber(3, 2), '3.00');
  assert.equal(formatNumber(15891), '15,891');
  assert.equal(formatNumber(0.5), '0.5');
});

test('times, money and p-values', () => {
  assert.equal(formatSeconds(3.2071), '3.21 s');
  assert.equal(formatSeconds(41.23), '41.2 s');
  assert.equal(formatSeconds(655), '10 min 55 s');
  assert.equal(formatSeconds(7384), '2 h 03 min');
  assert.equal(formatMoney(null), 'unknown');
  assert.equal(formatMoney(0), '$0');
  assert.equal(formatMoney(0.2712), '$0.27');
  assert.equal(formatMoney(0.00042), '$0.0004');
  assert.equal(formatPValue(0.0004), '< 0.001');
  assert.equal(formatPValue(0.0321), '0.032');
});

test('tick labels carry only the decimals their step needs', () => {
  assert.equal(formatTick(0.15, 0.05, 'percent'), '15%');
  assert.equal(formatTick(0.125, 0.005, 'percent'), '12.5%');
  assert.equal(formatTick(3.5, 0.5, 'number'), '3.5');
  assert.equal(formatTick(3000, 1000, 'integer'), '3,000');
});

test('metric keys as evaluation writes them, variant prefix included', () => {
  assert.equal(metricFormat('unfiltered.recall@10'), 'percent');
  assert.equal(metricHeader('unfiltered.recall@10'), 'Recall@10 (unfiltered) (%)');
  assert.equal(metricFormat('pairs'), 'integer');
  assert.equal(metricHeader('unfiltered.pairs'), 'Pairs (unfiltered)');
  assert.equal(metricHeader('entropy@10'), 'Entropy@10');
});
