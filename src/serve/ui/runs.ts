import { getJson, getText, type RunDetail, type RunSummary } from './api.js';
import { byId, clear, el, percent, type Status } from './dom.js';

const METRICS = ['recall@1', 'recall@10', 'recall@50'];
/** The metrics the run compares each augmented mode on against its baseline. */
const COMPARED = ['recall@10', 'recall@50'];

/** The runs tab: every run folder, and for the chosen one its results, synthetic labels and report. */
export class Runs {
  private readonly table = byId<HTMLTableElement>('runs-table');
  private readonly detail = byId<HTMLDivElement>('run-detail');
  private shown?: string;

  constructor(
    private readonly status: Status,
    private readonly onSelect: (id: string) => void,
  ) {}

  setRuns(runs: RunSummary[]): void {
    const body = this.table.tBodies[0]!;
    clear(body);
    for (const run of runs) {
      const models = [...new Set(run.models.map((m) => m.model))].join(', ');
      const row = el(
        'tr',
        { class: 'selectable', 'data-run': run.id },
        el('td', {}, run.name === run.id ? run.id : `${run.id} (${run.name})`),
        el('td', {}, run.dataset),
        el('td', {}, run.createdAt ? new Date(run.createdAt).toLocaleString() : '—'),
        el('td', {}, models || '—'),
      );
      row.addEventListener('click', () => this.onSelect(run.id));
      body.appendChild(row);
    }
  }

  async show(run: RunSummary): Promise<void> {
    for (const row of this.table.tBodies[0]!.rows)
      row.classList.toggle('selected', row.dataset.run === run.id);
    if (this.shown === run.id) return;
    this.shown = run.id;
    clear(this.detail);
    try {
      const detail = await getJson<RunDetail>(`/v1/runs/${encodeURIComponent(run.id)}`);
      this.status.clear();
      this.render(detail);
      if (detail.reportUrl) await this.showReport(detail.reportUrl);
    } catch (error) {
      this.shown = undefined;
      this.status.error(error);
    }
  }

  private render(run: RunDetail): void {
    const head = el('tr', {}, el('th', {}, 'Model'), el('th', {}, 'Mode'), el('th', {}, 'Seeds'));
    for (const m of METRICS) head.appendChild(el('th', {}, `${m.replace('recall', 'R')} %`));
    for (const m of COMPARED)
      head.appendChild(el('th', {}, `Δ${m.replace('recall', 'R')} pts [95 % CI], p adj.`));
    const rows = el('tbody');
    for (const row of run.results.rows) {
      const tr = el(
        'tr',
        {},
        el('td', {}, row.model),
        el('td', {}, row.mode),
        el('td', { class: 'num' }, row.seeds.length),
      );
      for (const m of METRICS) {
        const mean = row.mean[m];
        tr.appendChild(
          el(
            'td',
            { class: 'num' },
            mean === undefined ? '—' : `${percent(mean)} ± ${percent(row.std[m] ?? 0)}`,
          ),
        );
      }
      for (const metric of COMPARED) {
        const c = run.results.comparisons.find(
          (x) => x.model === row.model && x.mode === row.mode && x.metric === metric,
        );
        const points = (x: number) => `${x >= 0 ? '+' : ''}${percent(x)}`;
        tr.appendChild(
          el(
            'td',
            { class: 'num', title: c?.method },
            c
              ? `${points(c.diff)} [${points(c.ci95[0])}, ${points(c.ci95[1])}], ${c.pAdjusted < 0.001 ? '< 0.001' : c.pAdjusted.toFixed(3)}`
              : '',
          ),
        );
      }
      rows.appendChild(tr);
    }
    const synthesis = run.synthesis;
    this.detail.appendChild(
      el(
        'div',
        { class: 'run-detail-grid' },
        el(
          'div',
          { class: 'card' },
          el('h2', {}, `${run.id}: ${run.results.split} results`),
          el('table', { class: 'grid results' }, el('thead', {}, head), rows),
          run.results.comparisons[0]
            ? el(
                'p',
                { class: 'hint' },
                `Δ against ${run.results.comparisons[0].against}: ${run.results.comparisons[0].method}`,
              )
            : null,
          run.command ? el('p', { class: 'hint' }, `command: ${run.command}`) : null,
        ),
        el(
          'div',
          { class: 'card' },
          el('h2', {}, 'Synthetic labels and providers'),
          synthesis
            ? el(
                'p',
                {},
                `${synthesis.labels} labels on ${synthesis.contextsWithLabels} of ${synthesis.contexts} contexts (score ≥ ${synthesis.threshold}); ${synthesis.scorer}`,
              )
            : el('p', {}, 'no synthesis yet'),
          el('ul', {}, ...run.providers.map((p) => el('li', {}, `${p.role}: ${p.description}`))),
          ...run.notes.map((note) => el('p', { class: 'hint' }, note)),
        ),
      ),
    );
  }

  /** The report in a frame that may run nothing (fetched with the token, so it works behind one too). */
  private async showReport(url: string): Promise<void> {
    const html = await getText(url);
    const frame = el('iframe', { class: 'report', title: 'run report', sandbox: '' });
    frame.srcdoc = html;
    this.detail.appendChild(frame);
  }
}
