import {
  getJson,
  type JudgmentResponse,
  type LabelContext,
  type LabelPair,
  type LabelsResponse,
  postJson,
  query,
  type RunSummary,
} from './api.js';
import { byId, clear, el, type Status } from './dom.js';

const PAGE = 10;

/**
 * The augmentation explorer: the run's train contexts with their candidates (student score, teacher
 * judgment, kept or not), filtered and paged by the server; any pair can be relabelled 0-4 with a reason,
 * which the server appends to the human-judgments file.
 */
export class Explorer {
  private run?: RunSummary;
  private offset = 0;
  private response?: LabelsResponse;
  private readonly list = byId<HTMLDivElement>('labels');
  private readonly summary = byId<HTMLParagraphElement>('labels-summary');
  private readonly filter = byId<HTMLSelectElement>('labels-filter');
  private readonly gap = byId<HTMLInputElement>('labels-gap');
  private readonly sort = byId<HTMLSelectElement>('labels-sort');
  private readonly search = byId<HTMLInputElement>('labels-q');
  private readonly prev = byId<HTMLButtonElement>('labels-prev');
  private readonly next = byId<HTMLButtonElement>('labels-next');

  constructor(private readonly status: Status) {
    byId<HTMLFormElement>('labels-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.offset = 0;
      void this.load();
    });
    this.prev.addEventListener('click', () => {
      this.offset = Math.max(0, this.offset - PAGE);
      void this.load();
    });
    this.next.addEventListener('click', () => {
      this.offset += PAGE;
      void this.load();
    });
  }

  setRun(run: RunSummary): void {
    if (this.run?.id === run.id) return;
    this.run = run;
    this.offset = 0;
    this.response = undefined;
  }

  /** Loads the page when the tab is shown (the first load scores every candidate once: a few seconds). */
  async show(): Promise<void> {
    if (!this.response) await this.load();
  }

  private async load(): Promise<void> {
    if (!this.run) return;
    this.summary.textContent = 'Loading… (the first page of a run scores all its candidates once)';
    try {
      const params = query({
        offset: this.offset,
        limit: PAGE,
        filter: this.filter.value,
        gap: this.gap.value,
        sort: this.sort.value,
        q: this.search.value.trim(),
      });
      this.response = await getJson<LabelsResponse>(
        `/v1/runs/${encodeURIComponent(this.run.id)}/labels?${params}`,
      );
      this.status.clear();
      this.render(this.response);
    } catch (error) {
      this.summary.textContent = '';
      this.status.error(error);
    }
  }

  private render(response: LabelsResponse): void {
    const { total, offset } = response;
    this.summary.textContent =
      `${total.contexts} contexts, ${total.pairs} pairs · threshold ${response.threshold} · ${response.student}` +
      (response.teacher ? ` · teacher: ${response.teacher}` : '');
    byId('labels-page').textContent =
      total.contexts === 0
        ? 'nothing matches'
        : `${offset + 1}–${offset + response.contexts.length} of ${total.contexts}`;
    this.prev.disabled = offset === 0;
    this.next.disabled = offset + response.contexts.length >= total.contexts;
    clear(this.list);
    for (const context of response.contexts) this.list.appendChild(this.card(response, context));
    // The latest turns are the ones the candidates answer: show the end of each dialogue.
    for (const dialogue of this.list.querySelectorAll<HTMLElement>('.dialogue')) {
      dialogue.scrollTop = dialogue.scrollHeight;
    }
  }

  private card(response: LabelsResponse, context: LabelContext): HTMLElement {
    const dialogue = el('ol', { class: 'dialogue' });
    for (const turn of context.dialogue) {
      dialogue.appendChild(el('li', {}, el('span', { class: 'who' }, `${turn.role}:`), turn.text));
    }
    const rows = el('tbody');
    for (const pair of context.pairs) rows.appendChild(this.row(response, context, pair));
    return el(
      'article',
      { class: 'card context-card', 'data-context': `${context.dialog_id}#${context.turn_id}` },
      el(
        'header',
        {},
        el('h3', {}, `${context.dialog_id}, turn ${context.turn_id}`),
        el('span', { class: 'meta' }, `gold: ${context.gold.join(', ') || '—'}`),
      ),
      dialogue,
      el(
        'table',
        { class: 'grid pairs' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', {}, 'Item'),
            el('th', {}, 'Rank'),
            el('th', {}, 'Student'),
            el('th', {}, 'Teacher'),
            el('th', {}, 'Human'),
            el('th', {}, 'Kept'),
            el('th', {}, ''),
          ),
        ),
        rows,
      ),
    );
  }

  private row(response: LabelsResponse, context: LabelContext, pair: LabelPair): HTMLTableRowElement {
    const gap = pair.teacher ? Math.abs(pair.teacher.score - pair.student) : 0;
    const button = el('button', { type: 'button', class: 'secondary relabel-open' }, 'Relabel');
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${pair.student * 1.2}rem`;
    const row = el(
      'tr',
      { class: pair.kept ? 'kept' : undefined, 'data-item': pair.item },
      el('td', {}, pair.item),
      el('td', { class: 'num' }, pair.rank ?? '—'),
      el('td', { class: 'num' }, bar, pair.student.toFixed(2)),
      el(
        'td',
        {},
        pair.teacher
          ? el(
              'span',
              { class: gap >= Number(this.gap.value || 1) ? 'score-gap' : undefined },
              pair.teacher.score,
            )
          : '—',
        pair.teacher?.reason ? el('div', { class: 'reason' }, pair.teacher.reason) : null,
      ),
      el(
        'td',
        { class: 'human' },
        pair.human ? el('strong', {}, pair.human.score) : '—',
        pair.human?.reason ? el('div', { class: 'reason' }, pair.human.reason) : null,
      ),
      el('td', {}, pair.kept ? '✓' : ''),
      el('td', {}, button),
    );
    button.addEventListener('click', () => this.relabel(response, context, pair, row));
    return row;
  }

  /** An inline form under the pair: score 0-4 and a reason, saved through POST /v1/judgments. */
  private relabel(
    response: LabelsResponse,
    context: LabelContext,
    pair: LabelPair,
    row: HTMLTableRowElement,
  ): void {
    if (row.nextElementSibling?.classList.contains('relabel-row')) return;
    const score = el('select', { 'aria-label': 'score', class: 'relabel-score' });
    for (let s = 4; s >= 0; s--) score.appendChild(el('option', { value: String(s) }, String(s)));
    score.value = String(Math.round(pair.human?.score ?? pair.teacher?.score ?? pair.student));
    const reason = el('input', {
      'aria-label': 'reason',
      class: 'relabel-reason',
      maxlength: '2000',
      placeholder: 'why',
    });
    const save = el('button', { type: 'submit' }, 'Save');
    const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const form = el('form', { class: 'relabel' }, `Score for ${pair.item}:`, score, reason, save, cancel);
    const formRow = el('tr', { class: 'relabel-row' }, el('td', { colspan: '7' }, form));
    row.after(formRow);
    reason.focus();
    cancel.addEventListener('click', () => formRow.remove());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      save.disabled = true;
      postJson<JudgmentResponse>('/v1/judgments', {
        dataset: response.dataset,
        split: response.split,
        dialog_id: context.dialog_id,
        turn_id: context.turn_id,
        item: pair.item,
        score: Number(score.value),
        reason: reason.value,
        run: response.run,
      })
        .then(({ judgment }) => {
          this.status.clear();
          pair.human = { score: judgment.score, reason: judgment.reason, createdAt: judgment.createdAt };
          formRow.remove();
          row.replaceWith(this.row(response, context, pair));
        })
        .catch((error: unknown) => {
          save.disabled = false;
          this.status.error(error);
        });
    });
  }
}
