import { words } from '../../providers/builtin/tokenize.js';

const K1 = 1.2;
const B = 0.75;

/**
 * Okapi BM25 over a fixed document collection (the catalog's item descriptions). Scoring a query against
 * every document at once walks only the postings of the query's terms, so it is cheap per context.
 */
export class Bm25Index {
  private readonly postings = new Map<string, Array<[doc: number, tf: number]>>();
  private readonly docLength: Float64Array;
  private readonly averageLength: number;

  constructor(documents: readonly string[]) {
    this.docLength = new Float64Array(documents.length);
    documents.forEach((text, doc) => {
      const counts = new Map<string, number>();
      const tokens = words(text);
      for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
      this.docLength[doc] = tokens.length;
      for (const [term, tf] of counts) {
        const list = this.postings.get(term);
        if (list) list.push([doc, tf]);
        else this.postings.set(term, [[doc, tf]]);
      }
    });
    const total = this.docLength.reduce((s, n) => s + n, 0);
    this.averageLength = documents.length > 0 ? total / documents.length || 1 : 1;
  }

  get size(): number {
    return this.docLength.length;
  }

  /** BM25 score of `query` against every document (repeated query terms count once). */
  scoreAll(query: string): Float64Array {
    const scores = new Float64Array(this.size);
    const n = this.size;
    for (const term of new Set(words(query))) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const [doc, tf] of list) {
        const norm = K1 * (1 - B + (B * this.docLength[doc]!) / this.averageLength);
        scores[doc]! += (idf * tf * (K1 + 1)) / (tf + norm);
      }
    }
    return scores;
  }
}
