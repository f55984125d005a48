import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder holding package.json), found from this file's location in src/ or dist/src/. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
  return dir;
}

/** Per-user cache folder ($XDG_CACHE_HOME/crsaug or ~/.cache/crsaug). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'crsaug');
}

/** Where the data root came from, for messages that tell the user which folder was used and why. */
export interface DataDirChoice {
  dir: string;
  source: 'flag-or-config' | 'shared' | 'user-cache';
}

/**
 * Data root: an explicit value (--data-dir, config file or CRSAUG_DATA_DIR, already merged into the config),
 * else ../shared/data next to the working folder or the package when it exists, else the user cache that
 * `crsaug data fetch` fills.
 */
export function resolveDataDir(explicit: string | undefined, cwd = process.cwd()): DataDirChoice {
  if (explicit) return { dir: resolve(cwd, explicit), source: 'flag-or-config' };
  for (const base of [cwd, PACKAGE_ROOT]) {
    const shared = resolve(base, '..', 'shared', 'data');
    if (existsSync(shared)) return { dir: shared, source: 'shared' };
  }
  return { dir: join(userCacheDir(), 'data'), source: 'user-cache' };
}

/**
 * The cache root of a config, decided here only: `cacheDir` (flag, config file or CRSAUG_CACHE_DIR, already
 * merged into the config) resolved against the working folder, else the user cache folder. The provider
 * cache, the fitted builtin embedders and converted datasets all live under it.
 */
export function cacheDirOf(config: { cacheDir?: string }, cwd = process.cwd()): string {
  return config.cacheDir ? resolve(cwd, config.cacheDir) : userCacheDir();
}
