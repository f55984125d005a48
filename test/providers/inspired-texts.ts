import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '../../src/config/paths.js';

/** INSPIRED's catalog and dialogues, read straight from the shared data (the provider layer has no loader). */
export function inspiredTexts() {
  const dir = join(resolveDataDir(undefined).dir, 'inspired');
  const info = JSON.parse(readFileSync(join(dir, 'id2info.json'), 'utf8')) as Record<
    string,
    { name: string; plot?: string; genre?: string[]; director?: string[]; star?: string[] }
  >;
  const items = Object.values(info);
  const itemTexts = items.map((i) =>
    [i.name, i.genre?.join(', '), i.director?.join(', '), i.star?.join(', '), i.plot]
      .filter(Boolean)
      .join('. '),
  );
  const split = (name: string) =>
    readFileSync(join(dir, `${name}_data_processed.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { context: string[]; rec: string[] });
  return { names: items.map((i) => i.name), genres: items.map((i) => i.genre ?? []), itemTexts, split };
}
