import { readFileSync } from 'node:fs';
import { InputError, MissingFileError } from '../../util/errors.js';
import type { LinkedInspiredDialog, LinkedInspiredTurn } from './linked.js';
import { collapseWhitespace } from './python-text.js';

/** Columns of the official INSPIRED TSVs that the conversion reads (data README §5.4). */
const REQUIRED_COLUMNS = [
  'dialog_id',
  'speaker',
  'text',
  'text_with_placeholder',
  'movies',
  'genres',
  'people_names',
] as const;
type Column = (typeof REQUIRED_COLUMNS)[number];
type Row = Record<Column, string>;

const PLACEHOLDERS: [RegExp, string][] = [
  [/\[MOVIE_TITLE_\d+\]/g, '<movie>'],
  [/\[MOVIE_GENRE_\d+\]/g, '<genre>'],
  [/\[MOVIE_P_(?:ACTOR|DIRECTOR|PEOPLE)_\d+\]/g, '<person>'],
];

/**
 * Reads an official INSPIRED TSV (tab-separated, no quoting) into rows; a row with a wrong column count
 * or an unknown speaker is an error naming file, line and field.
 */
export function readInspiredTsv(file: string): { line: number; row: Row }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new MissingFileError(file, 'run `crsaug data fetch inspired` or check the path');
  }
  const lines = text.split(/\r?\n/);
  const header = lines[0]!.split('\t');
  const index = Object.fromEntries(REQUIRED_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<
    Column,
    number
  >;
  for (const column of REQUIRED_COLUMNS) {
    if (index[column] < 0)
      throw new InputError({ file, line: 1, field: column }, 'column missing from the header');
  }
  const rows: { line: number; row: Row }[] = [];
  lines.slice(1).forEach((raw, i) => {
    if (raw === '') return;
    const cells = raw.split('\t');
    const line = i + 2;
    if (cells.length !== header.length) {
      throw new InputError(
        { file, line },
        `expected ${header.length} tab-separated columns, got ${cells.length}`,
      );
    }
    const row = Object.fromEntries(REQUIRED_COLUMNS.map((c) => [c, cells[index[c]]!])) as Row;
    if (row.speaker !== 'RECOMMENDER' && row.speaker !== 'SEEKER') {
      throw new InputError(
        { file, line, field: 'speaker' },
        `expected RECOMMENDER or SEEKER, got "${row.speaker}"`,
      );
    }
    rows.push({ line, row });
  });
  return rows;
}

/**
 * The TSVs spell quotes as QUOTATION_MARK and carry runs of U+FFFD where the crawl broke non-ASCII
 * characters; CFCRS text has neither and single spaces.
 */
function cleanText(text: string): string {
  return collapseWhitespace(text.replaceAll('QUOTATION_MARK', '').replaceAll('\ufffd', ''));
}

const splitList = (cell: string) =>
  cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * Official INSPIRED rows → CFCRS linked dialogues (data README §6.3): rows grouped by dialog_id in file
 * order, consecutive rows of one speaker merged; `movie` from the movies column; `entity` = genres then
 * people of each row, kept only when the KG knows them (`isEntity`).
 */
export function inspiredRowsToLinked(
  rows: readonly { row: Row }[],
  isEntity: (name: string) => boolean,
): LinkedInspiredDialog[] {
  const dialogs: LinkedInspiredDialog[] = [];
  let current: LinkedInspiredDialog | undefined;
  let last: LinkedInspiredTurn | undefined;
  for (const { row } of rows) {
    if (current?.dialog_id !== row.dialog_id) {
      current = { dialog_id: row.dialog_id, dialog: [] };
      dialogs.push(current);
      last = undefined;
    }
    const text = cleanText(row.text);
    const template = PLACEHOLDERS.reduce(
      (t, [pattern, token]) => t.replace(pattern, token),
      cleanText(row.text_with_placeholder),
    );
    const entity = [...splitList(row.genres), ...splitList(row.people_names)].filter(isEntity);
    const movie = splitList(row.movies);
    if (last && last.role === row.speaker) {
      last.text = collapseWhitespace(`${last.text} ${text}`);
      last.text_template = collapseWhitespace(`${last.text_template} ${template}`);
      last.entity.push(...entity);
      last.movie.push(...movie);
    } else {
      last = {
        role: row.speaker as LinkedInspiredTurn['role'],
        text,
        text_template: template,
        entity,
        movie,
      };
      current.dialog.push(last);
    }
  }
  return dialogs;
}
