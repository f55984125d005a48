import { formatSeconds } from '../format.js';
import { type Html, html } from '../html.js';
import type { RunInfo } from '../schema.js';
import type { Section } from './section.js';

/** The page header: what ran, when, with which version. */
export function runHeader(run: RunInfo): Html {
  const created = run.createdAt.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC');
  return html`<header class="page-header"><p class="eyebrow">crsaug run report</p><h1>${run.name}</h1><dl class="meta"><div><dt>Dataset</dt><dd>${run.dataset}</dd></div><div><dt>Created</dt><dd><time datetime="${run.createdAt}">${created}</time></dd></div><div><dt>crsaug</dt><dd>v${run.crsaugVersion}</dd></div><div><dt>Wall time</dt><dd>${formatSeconds(run.wallSeconds)}</dd></div>${run.gitCommit ? html`<div><dt>Commit</dt><dd><code>${run.gitCommit.slice(0, 12)}</code></dd></div>` : ''}</dl>${run.command ? html`<p class="command"><code>${run.command}</code></p>` : ''}</header>`;
}

/**
 * Providers, with a warning when offline stand-ins ran: their numbers measure this pipeline, not the paper's
 * GritLM / GPT-4 / Gemma2 setup, and the reader must know that before reading any table.
 */
export function runSection(run: RunInfo): Section {
  const offline = run.providers.filter((p) => p.offline);
  const warning =
    offline.length > 0
      ? html`<div class="callout warn" role="note"><strong>Offline stand-ins were used.</strong> ${offline.map(
          (p, i) => html`${i > 0 ? '; ' : ''}<code>${p.id}</code> as ${p.role} (${p.description})`,
        )}. Results measure the pipeline with these providers and are not comparable with the paper's numbers.</div>`
      : '';
  const notes =
    run.notes.length > 0
      ? html`<div class="callout note" role="note"><strong>Notes</strong><ul>${run.notes.map((n) => html`<li>${n}</li>`)}</ul></div>`
      : '';
  const providers =
    run.providers.length > 0
      ? html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Role</th><th scope="col">Provider</th><th scope="col">Description</th><th scope="col">Kind</th></tr></thead><tbody>${run.providers.map(
          (p) =>
            html`<tr><td>${p.role}</td><td><code>${p.id}</code></td><td>${p.description}</td><td>${p.offline ? html`<span class="badge offline">offline default</span>` : html`<span class="badge online">external</span>`}</td></tr>`,
        )}</tbody></table></div>`
      : html`<p class="muted">No providers recorded.</p>`;
  const links =
    run.links.length > 0
      ? html`<h3>Outputs</h3><ul class="links">${run.links.map(
          (l) =>
            html`<li><a href="${l.href}">${l.label}</a>${l.description ? html`: ${l.description}` : ''}</li>`,
        )}</ul>`
      : '';
  return { id: 'run', title: 'Run and providers', body: html`${warning}${notes}${providers}${links}` };
}

/** The resolved configuration, verbatim, folded away because it is long. */
export function configSection(run: RunInfo): Section {
  const text = JSON.stringify(run.config ?? null, null, 2);
  return {
    id: 'config',
    title: 'Resolved configuration',
    body: html`<details class="config"><summary>Show the configuration this run resolved (${text.split('\n').length} lines)</summary><pre><code>${text}</code></pre></details>`,
  };
}
