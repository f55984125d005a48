import type { FinishReason, TokenLogprob } from '../providers/types.js';

export type ScoreProblem = 'no-score' | 'out-of-range' | 'truncated';

export type ParsedScore =
  | {
      ok: true;
      score: number;
      /** Character offset of the score's digit in the answer (locates its token for expectedScore). */
      offset: number;
    }
  | { ok: false; problem: ScoreProblem; detail: string };

const SCORE_LINE = /score\s*\**\s*[:=]\s*\**\s*(-?\d+(?:\.\d+)?)/gi;
const BARE_NUMBER = /^\s*\**\s*(-?\d+(?:\.\d+)?)\s*\**\.?\s*$/;
/** A "score" member of a JSON object, its value a number or a numeric string. */
const SCORE_MEMBER = /"score"\s*:\s*"?\s*(-?\d+(?:\.\d+)?)/gi;
/** A whole answer in a Markdown code fence, as chat models like to wrap JSON. */
const FENCED = /^\s*```[a-z]*\s*\n?([\s\S]*?)\n?\s*```\s*$/i;

interface ScoreMatch {
  /** The score as written. */
  raw: string;
  /** Character offset of `raw` in the answer. */
  offset: number;
}

/**
 * The score of a single-candidate answer, in the forms the judge is asked for or commonly answers with:
 * - a JSON object with a "score" member (`{"score": 3, "reason": …}`, what response_format json_object
 *   returns), also inside a ```json fence; a "Score: 4" quoted inside its reason does not count;
 * - else the LAST "Score: N" in the text (a reason may quote the dialogue, which may itself say "Score: 4");
 * - else an answer that is just a number;
 * - else the last JSON object with a "score" member after some prose.
 * Only integers 0-4 are accepted.
 */
export function parseScoreAnswer(text: string, finishReason: FinishReason): ParsedScore {
  const match = wholeJsonScore(text) ?? lastScoreLine(text) ?? bareNumber(text) ?? lastJsonScore(text);
  if (match === undefined) {
    return finishReason === 'length'
      ? { ok: false, problem: 'truncated', detail: 'the answer was cut by the token limit before a score' }
      : { ok: false, problem: 'no-score', detail: 'no "Score: N" line or {"score": N} object' };
  }
  const score = Number(match.raw);
  if (!Number.isInteger(score) || score < 0 || score > 4) {
    return { ok: false, problem: 'out-of-range', detail: `score ${match.raw} is not an integer from 0 to 4` };
  }
  return { ok: true, score, offset: match.offset };
}

/** The score member of an answer that is one JSON object (fenced or not); its offset is located in the text. */
function wholeJsonScore(text: string): ScoreMatch | undefined {
  const fenced = FENCED.exec(text);
  const body = fenced ? fenced[1]! : text;
  const start = fenced ? fenced.index + fenced[0].indexOf(body) : 0;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const key = Object.keys(value).find((k) => k.toLowerCase() === 'score');
  if (key === undefined) return undefined;
  const score = (value as Record<string, unknown>)[key];
  if (typeof score !== 'number' && typeof score !== 'string') return undefined;
  // The member as written: the last one of the object's own level whose value is this score.
  const members = [...body.matchAll(SCORE_MEMBER)].filter((m) => Number(m[1]) === Number(score));
  const member = members[members.length - 1];
  if (!member) return { raw: String(score), offset: start };
  return { raw: member[1]!, offset: start + member.index + member[0].lastIndexOf(member[1]!) };
}

function lastScoreLine(text: string): ScoreMatch | undefined {
  const matches = [...text.matchAll(SCORE_LINE)];
  const last = matches[matches.length - 1];
  return last && { raw: last[1]!, offset: last.index + last[0].lastIndexOf(last[1]!) };
}

function bareNumber(text: string): ScoreMatch | undefined {
  const match = BARE_NUMBER.exec(text);
  return match ? { raw: match[1]!, offset: match.index + match[0].lastIndexOf(match[1]!) } : undefined;
}

function lastJsonScore(text: string): ScoreMatch | undefined {
  let found: ScoreMatch | undefined;
  for (const object of text.matchAll(JSON_OBJECT)) {
    const inner = wholeJsonScore(object[0]);
    if (inner) found = { raw: inner.raw, offset: object.index + inner.offset };
  }
  return found;
}

const JSON_OBJECT = /\{[^{}]*\}/g;

/**
 * Scores of a several-candidate answer: every {"id": k, "score": s} object in the text whose id was asked
 * for and whose score is an integer 0-4; a later object for the same id replaces an earlier one. Prose,
 * code fences, broken lines and unknown ids are ignored: the caller re-asks whatever is missing.
 */
export function parseMultiScoreAnswer(text: string, ids: readonly number[]): Map<number, number> {
  const wanted = new Set(ids);
  const scores = new Map<number, number>();
  for (const [object] of text.matchAll(JSON_OBJECT)) {
    let value: unknown;
    try {
      value = JSON.parse(object);
    } catch {
      continue;
    }
    const { id, score } = value as { id?: unknown; score?: unknown };
    const k = Number(id);
    const s = Number(score);
    if (wanted.has(k) && Number.isInteger(s) && s >= 0 && s <= 4 && score !== null && score !== '') {
      scores.set(k, s);
    }
  }
  return scores;
}

/**
 * The expected score Σ d·p(d) / Σ p(d) over the digits 0-4 from the top alternatives at the score's token:
 * the token covering character `offset` of the answer when the tokens spell the answer, else the last digit
 * token. Undefined when the provider gave no log-probabilities or no digit 0-4 is among the alternatives.
 */
export function expectedScore(logprobs: TokenLogprob[] | undefined, offset?: number): number | undefined {
  if (!logprobs) return undefined;
  const token = (offset === undefined ? undefined : tokenAt(logprobs, offset)) ?? lastDigitToken(logprobs);
  if (!token) return undefined;
  const mass = [0, 0, 0, 0, 0];
  const seen = new Set<string>();
  for (const alt of [token, ...token.top]) {
    // The chosen token is usually also listed among the alternatives: count each spelling once.
    if (seen.has(alt.token)) continue;
    seen.add(alt.token);
    const digit = alt.token.trim();
    if (/^[0-4]$/.test(digit)) mass[Number(digit)]! += Math.exp(alt.logprob);
  }
  const total = mass.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  return mass.reduce((sum, p, d) => sum + d * p, 0) / total;
}

function tokenAt(logprobs: TokenLogprob[], offset: number): TokenLogprob | undefined {
  let end = 0;
  for (const token of logprobs) {
    end += token.token.length;
    if (end > offset) return /^\s*\d\s*$/.test(token.token) ? token : undefined;
  }
  return undefined;
}

function lastDigitToken(logprobs: TokenLogprob[]): TokenLogprob | undefined {
  for (let i = logprobs.length - 1; i >= 0; i--)
    if (/^\d$/.test(logprobs[i]!.token.trim())) return logprobs[i];
  return undefined;
}
