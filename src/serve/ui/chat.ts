import { postJson, type RankedItem, type RecommendResponse, type RunSummary } from './api.js';
import { byId, clear, el, options, type Status } from './dom.js';

/**
 * The chat tab: the user types turns (as the seeker, or as the recommender), and after each turn the
 * baseline's and the chosen augmented model's top 10 appear side by side, each item with its details.
 */
export class Chat {
  /** Utterances in the dataset's convention: even positions are the user's, odd ones the recommender's. */
  private utterances: string[] = [];
  private run?: RunSummary;
  private readonly transcript = byId<HTMLOListElement>('transcript');
  private readonly input = byId<HTMLInputElement>('chat-input');
  private readonly role = byId<HTMLSelectElement>('chat-role');
  private readonly model = byId<HTMLSelectElement>('chat-model');
  private readonly mode = byId<HTMLSelectElement>('chat-mode');
  private readonly seed = byId<HTMLSelectElement>('chat-seed');
  private readonly entities = byId<HTMLDivElement>('chat-entities');
  private readonly lists = [byId<HTMLDivElement>('list-left'), byId<HTMLDivElement>('list-right')];

  constructor(private readonly status: Status) {
    byId<HTMLFormElement>('chat-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.say(this.role.value === 'recommender' ? 1 : 0, text);
      this.input.value = '';
      this.role.value = 'user';
    });
    byId('chat-reset').addEventListener('click', () => {
      this.utterances = [];
      this.render();
    });
    this.model.addEventListener('change', () => {
      this.fillModes();
      void this.recommend();
    });
    for (const select of [this.mode, this.seed])
      select.addEventListener('change', () => void this.recommend());
    this.render();
  }

  setRun(run: RunSummary): void {
    this.run = run;
    const backbones = [...new Set(run.models.filter((m) => m.servable).map((m) => m.model))];
    options(
      this.model,
      backbones.map((b) => ({ value: b, label: b })),
    );
    this.fillModes();
    void this.recommend();
  }

  private fillModes(): void {
    const models = this.run?.models.filter((m) => m.model === this.model.value) ?? [];
    options(
      this.mode,
      models.filter((m) => m.mode !== 'baseline').map((m) => ({ value: m.mode, label: m.mode })),
      'stage2',
    );
    const seeds = models.find((m) => m.mode === 'baseline')?.seeds ?? models[0]?.seeds ?? [];
    options(
      this.seed,
      seeds.map((s) => ({ value: String(s), label: String(s) })),
    );
  }

  /** Adds a turn at the next position of its speaker (an empty turn of the other speaker keeps the parity). */
  private say(parity: 0 | 1, text: string): void {
    if (this.utterances.length % 2 !== parity) this.utterances.push('');
    this.utterances.push(text);
    this.render();
    void this.recommend();
  }

  private render(): void {
    clear(this.transcript);
    this.utterances.forEach((text, i) => {
      if (!text) return;
      const who = i % 2 === 0 ? 'user' : 'recommender';
      this.transcript.appendChild(
        el(
          'li',
          { class: `turn ${who}` },
          el('span', { class: 'who' }, who === 'user' ? 'You' : 'Recommender'),
          text,
        ),
      );
    });
    if (this.utterances.length === 0) {
      clear(this.entities);
      for (const list of this.lists) {
        clear(list);
        list.appendChild(el('p', { class: 'hint' }, 'Say something to get recommendations.'));
      }
    }
  }

  private async recommend(): Promise<void> {
    if (!this.run || this.utterances.length === 0 || !this.model.value) return;
    try {
      const response = await postJson<RecommendResponse>('/v1/recommend', {
        run: this.run.id,
        context: this.utterances,
        k: 10,
        model: this.model.value,
        mode: this.mode.value || 'baseline',
        seed: this.seed.value ? Number(this.seed.value) : undefined,
        compare: true,
      });
      this.status.clear();
      this.showEntities(response);
      const [left, right] = response.lists;
      const other = (list: typeof left) =>
        new Set((list === left ? right : left)?.items.map((i) => i.item) ?? []);
      response.lists.forEach((list, i) => {
        this.showList(this.lists[i]!, list, other(list));
      });
    } catch (error) {
      this.status.error(error);
    }
  }

  private showEntities(response: RecommendResponse): void {
    clear(this.entities);
    for (const entity of response.entities) {
      this.entities.appendChild(
        el(
          'span',
          { class: `chip ${entity.item ? 'item' : entity.type}`, title: `${entity.type}: ${entity.name}` },
          entity.name,
        ),
      );
    }
  }

  private showList(node: HTMLElement, list: RecommendResponse['lists'][number], inOther: Set<string>): void {
    clear(node);
    const title = list.mode === 'baseline' ? 'Baseline' : `Augmented: ${list.mode}`;
    node.appendChild(
      el('h3', {}, `${title} `, el('span', { class: 'badge' }, `${list.model}, seed ${list.seed}`)),
    );
    const items = el('ol', { 'data-mode': list.mode });
    for (const item of list.items) items.appendChild(itemRow(item, inOther.has(item.item)));
    node.appendChild(items);
  }
}

function itemRow(item: RankedItem, shared: boolean): HTMLLIElement {
  const people = (label: string, names: string[]) =>
    names.length > 0 ? el('p', {}, `${label}: ${names.slice(0, 4).join(', ')}`) : null;
  return el(
    'li',
    { class: 'rec-item' },
    el(
      'details',
      {},
      el(
        'summary',
        {},
        el('span', { class: 'rank' }, `${item.rank}.`),
        el('span', { class: 'name' }, item.item),
        shared ? el('span', { class: 'badge' }, 'both') : el('span', { class: 'badge new' }, 'only here'),
        el(
          'span',
          { class: 'prob', title: 'softmax probability' },
          `${(100 * item.probability).toFixed(1)}%`,
        ),
      ),
      el(
        'div',
        { class: 'details' },
        item.genres.length > 0 ? el('p', {}, `Genres: ${item.genres.join(', ')}`) : null,
        people('Directed by', item.directors),
        people('Starring', item.stars),
        item.plot ? el('p', {}, item.plot) : null,
      ),
    ),
  );
}
