import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { KnowledgeGraph } from '../../src/data/types.js';
import { noGrad, tidy } from '../../src/engine/index.js';
import type { Parameter } from '../../src/engine/parameter.js';
import { relationEdges, relationMessages } from '../../src/models/rgcn.js';
import { gradCheck, leaf } from '../engine/gradcheck.js';

const DIM = 3;
const ENTITIES = 12;

/**
 * Relation 0 ("genre"): 2 genres (entities 0, 1) → 6 movies (entities 4…9): its reversed relation has
 * few sources (the movies' in-edges come from two genres → transform first). Relation 1 ("star"):
 * persons 2, 3, 10, 11 → movies, several per movie (aggregate first wins for the reversed direction).
 */
const KG: KnowledgeGraph = {
  relations: ['genre', 'star'],
  heads: Int32Array.of(0, 0, 0, 1, 1, 1, 1, 2, 3, 10, 11, 2, 3, 10),
  relationIds: Int32Array.of(0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
  tails: Int32Array.of(4, 5, 6, 6, 7, 8, 9, 4, 4, 5, 6, 7, 8, 9),
};

const made: Parameter[] = [];
after(() => {
  for (const t of made) t.free();
});

/** Σ_r Σ_{e into rows[i], relation r} norm_e · x[src_e] · W_r in float64: the dense R-GCN formula. */
function denseMessages(x: Float32Array, w: Float32Array, rows: number[]): Float64Array {
  const out = new Float64Array(rows.length * DIM);
  relationEdges(KG, ENTITIES).forEach((edges, r) => {
    rows.forEach((entity, i) => {
      for (let e = edges.offsets[entity]!; e < edges.offsets[entity + 1]!; e++) {
        const s = edges.src[e]!;
        for (let c = 0; c < DIM; c++) {
          let v = 0;
          for (let k = 0; k < DIM; k++) v += x[s * DIM + k]! * w[(r * DIM + k) * DIM + c]!;
          out[i * DIM + c]! += edges.norm[e]! * v;
        }
      }
    });
  });
  return out;
}

test('relation messages equal the dense R-GCN formula whichever side each relation transforms first', () => {
  const x = leaf([ENTITIES, DIM], 1);
  const w = leaf([4 * DIM, DIM], 2);
  made.push(x, w);
  const relations = relationEdges(KG, ENTITIES);
  // Movies first (every item row), then a genre and a person as context entities.
  for (const rows of [
    [4, 5, 6, 7, 8, 9, 0, 2],
    [9, 4, 11],
    [0, 1, 2, 3, 10, 11],
  ]) {
    const got = noGrad(() => tidy(() => relationMessages(x, w, relations, Int32Array.from(rows)).toArray()));
    const want = denseMessages(x.data, w.data, rows);
    got.forEach((v, i) => {
      assert.ok(Math.abs(v - want[i]!) < 1e-5, `rows [${rows}] element ${i}: ${v} vs ${want[i]}`);
    });
  }
  gradCheck(() => relationMessages(x, w, relations, Int32Array.of(4, 5, 6, 7, 8, 9, 0, 2)), [x, w]);
});

test('a graph without edges gives zero messages', () => {
  const x = leaf([ENTITIES, DIM], 3);
  const w = leaf([4 * DIM, DIM], 4);
  made.push(x, w);
  const none = { ...KG, heads: Int32Array.of(), tails: Int32Array.of(), relationIds: Int32Array.of() };
  const messages = noGrad(() =>
    tidy(() => relationMessages(x, w, relationEdges(none, ENTITIES), Int32Array.of(4, 5)).toArray()),
  );
  assert.deepEqual([...messages], new Array(2 * DIM).fill(0));
});
