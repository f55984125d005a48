import { type Html, html } from '../html.js';

/** One numbered top-level section; `id` is its anchor in the table of contents. */
export interface Section {
  id: string;
  title: string;
  body: Html;
}

export function sectionHtml(section: Section, number: number): Html {
  return html`<section id="${section.id}" aria-labelledby="${section.id}-h"><h2 id="${section.id}-h"><span class="secnum">${number}</span>${section.title}</h2>${section.body}</section>`;
}
