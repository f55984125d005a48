import { formatNumber, formatScore } from '../format.js';
import { type Html, html } from '../html.js';
import type { Candidate, ContextExample, Examples } from '../schema.js';
import type { Section } from './section.js';

function isGold(candidate: Candidate, example: ContextExample): boolean {
  return example.gold.some((g) =>
    g.item !== undefined && candidate.item !== undefined
      ? g.item === candidate.item
      : g.name === candidate.name,
  );
}

/** A score with a small bar, so a column of scores reads at a glance against the threshold. */
function scoreCell(score: number | null | undefined, examples: Examples): Html {
  if (score === null || score === undefined) return html`<td class="num unknown" title="not scored">—</td>`;
  const [low, high] = examples.scoreRange;
  const width = Math.max(0, Math.min(1, (score - low) / (high - low))) * 100;
  const pass = score >= examples.threshold ? ' pass' : '';
  return html`<td class="num score"><span class="scoretrack" aria-hidden="true"><span class="scorebar${pass}" style="width:${width.toFixed(1)}%"></span></span>${formatScore(score, examples.threshold)}</td>`;
}

function dialogueHtml(example: ContextExample): Html {
  return html`<ol class="dialogue">${example.dialogue.map(
    (u) =>
      html`<li class="turn ${u.role === 'User' ? 'user' : 'recommender'}"><span class="role">${u.role}</span><p>${u.text || html`<em class="muted">(empty utterance)</em>`}</p></li>`,
  )}</ol>`;
}

function candidatesHtml(example: ContextExample, examples: Examples): Html {
  const hasTeacher = example.candidates.some((c) => c.teacherScore !== undefined && c.teacherScore !== null);
  const sorted = [...example.candidates].sort((a, b) => a.retrievalRank - b.retrievalRank);
  return html`<div class="table-wrap"><table class="data compact candidates"><thead><tr><th scope="col" class="num">Rank</th><th scope="col">Candidate</th>${hasTeacher ? html`<th scope="col" class="num">Teacher</th>` : ''}<th scope="col" class="num">Student</th><th scope="col" title="student score ≥ ${formatScore(examples.threshold)}">Label</th></tr></thead><tbody>${sorted.map(
    (c) =>
      html`<tr class="${c.kept ? 'kept' : ''}${isGold(c, example) ? ' gold' : ''}"><td class="num">${c.retrievalRank}</td><td>${c.name}${isGold(c, example) ? html` <span class="badge gold">gold</span>` : ''}</td>${hasTeacher ? scoreCell(c.teacherScore, examples) : ''}${scoreCell(c.studentScore, examples)}<td>${c.kept ? html`<span class="badge kept">kept</span>` : html`<span class="muted">—</span>`}</td></tr>`,
  )}</tbody></table></div>`;
}

function exampleHtml(example: ContextExample, examples: Examples, open: boolean): Html {
  const kept = example.candidates.filter((c) => c.kept).length;
  const goldRetrieved = example.candidates.filter((c) => isGold(c, example)).length;
  return html`<details class="example"${open ? html` open` : ''}><summary><span class="ex-id">${example.id}</span>${example.split ? html` <span class="muted">(${example.split})</span>` : ''} · gold: ${example.gold.map((g) => g.name).join(', ')} · ${kept} of ${example.candidates.length} candidates kept · gold retrieved: ${goldRetrieved}/${example.gold.length}</summary><div class="example-body"><div><h4>Dialogue context</h4>${dialogueHtml(example)}</div><div><h4>Retrieved candidates</h4>${candidatesHtml(example, examples)}</div></div></details>`;
}

export function examplesSection(examples: Examples): Section {
  const [low, high] = examples.scoreRange;
  return {
    id: 'examples',
    title: 'Per-context examples',
    body: html`<p>Each context shows the dialogue before the recommendation turn, its gold item(s), and the candidates the semantic retriever returned. Scores are on a ${formatNumber(low)}–${formatNumber(high)} scale; candidates with a student score ≥ ${formatScore(examples.threshold)} are kept as synthetic labels.</p>${examples.contexts.map((e, i) => exampleHtml(e, examples, i === 0))}`,
  };
}
