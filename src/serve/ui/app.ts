import { getJson, onTokenNeeded, type RunSummary } from './api.js';
import { Chat } from './chat.js';
import { byId, options, Status } from './dom.js';
import { Explorer } from './explorer.js';
import { Runs } from './runs.js';

type Tab = 'chat' | 'explorer' | 'runs';

/** The UI's entry: the run picker, the tabs, and the token dialog when the server asks for one. */
async function main(): Promise<void> {
  const status = new Status(byId('status'));
  onTokenNeeded(askToken);
  const chat = new Chat(status);
  const explorer = new Explorer(status);
  const picker = byId<HTMLSelectElement>('run-select');
  let runs: RunSummary[] = [];
  let tab: Tab = 'chat';
  const current = () => runs.find((r) => r.id === picker.value);
  const runsTab = new Runs(status, (id) => {
    picker.value = id;
    select();
  });

  const showTab = (next: Tab) => {
    tab = next;
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) {
      button.setAttribute('aria-selected', String(button.dataset.tab === next));
    }
    for (const name of ['chat', 'explorer', 'runs'] as const) byId(`tab-${name}`).hidden = name !== next;
    const run = current();
    if (run && next === 'explorer') void explorer.show();
    if (run && next === 'runs') void runsTab.show(run);
  };
  const select = () => {
    const run = current();
    if (!run) return;
    chat.setRun(run);
    explorer.setRun(run);
    showTab(tab);
  };
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) {
    button.addEventListener('click', () => showTab(button.dataset.tab as Tab));
  }
  picker.addEventListener('change', select);

  try {
    runs = (await getJson<{ runs: RunSummary[] }>('/v1/runs')).runs;
  } catch (error) {
    status.error(error);
    return;
  }
  if (runs.length === 0) {
    status.show('No runs yet: run `npm start` (crsaug run), then reload.');
    return;
  }
  options(
    picker,
    runs.map((r) => ({ value: r.id, label: `${r.id} (${r.dataset})` })),
  );
  runsTab.setRuns(runs);
  select();
}

function askToken(): Promise<string> {
  const dialog = byId<HTMLDialogElement>('token-dialog');
  const input = byId<HTMLInputElement>('token-input');
  const form = byId<HTMLFormElement>('token-form');
  return new Promise((resolve) => {
    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        dialog.close();
        resolve(input.value.trim());
      },
      { once: true },
    );
    dialog.showModal();
  });
}

void main();
