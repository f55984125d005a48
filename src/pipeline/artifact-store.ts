import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hashValue } from '../util/hash.js';
import { writeJsonFile } from '../util/json.js';
import { redactSecrets, withoutSecrets } from '../util/secrets.js';
import type { StageObserver } from './stage-progress.js';

/** What makes a stage's output what it is: its name, its code version, its settings and its inputs' keys. */
export interface StageIdentity {
  stage: string;
  /** Bumped when the stage's code changes its output for the same settings. */
  version: number;
  settings: unknown;
  /** Keys of the artifacts this stage reads. */
  inputs: string[];
}

export interface Artifact<T> {
  /** Content key: a hash of the stage identity (so it changes when anything upstream changes). */
  key: string;
  dir: string;
  value: T;
  /** True when the value was read from an earlier run rather than computed now. */
  reused: boolean;
  seconds: number;
}

const DONE_FILE = 'artifact.json';

/**
 * Stage outputs on disk, keyed by a hash of their inputs and settings. A finished stage writes
 * artifact.json last, so a killed stage is simply run again into the same folder (where a stage can
 * resume its own partial output, e.g. appended LLM scores, it does); changing one setting changes only
 * the keys of the stages that depend on it.
 */
export class ArtifactStore {
  /** `observer` hears of every stage the store runs; without one, each start is a line on `log`. */
  constructor(
    readonly root: string,
    private readonly observer?: StageObserver,
  ) {}

  /** Secrets (API keys, credentials in URLs) are no part of the key: changing one recomputes nothing. */
  keyOf(identity: StageIdentity): string {
    return `${identity.stage}-${hashValue(withoutSecrets(identity)).slice(0, 12)}`;
  }

  dirOf(key: string): string {
    return join(this.root, key);
  }

  async run<T>(
    identity: StageIdentity,
    compute: (dir: string) => Promise<T>,
    log: (line: string) => void = () => {},
  ): Promise<Artifact<T>> {
    const key = this.keyOf(identity);
    const dir = this.dirOf(key);
    const doneFile = join(dir, DONE_FILE);
    if (existsSync(doneFile)) {
      const saved = JSON.parse(await readFile(doneFile, 'utf8')) as { value: T; seconds: number };
      this.announce(identity.stage, key, true, log);
      this.observer?.finished(identity.stage, 0, true);
      return { key, dir, value: saved.value, reused: true, seconds: saved.seconds };
    }
    await mkdir(dir, { recursive: true });
    this.announce(identity.stage, key, false, log);
    const start = performance.now();
    const value = await compute(dir);
    const seconds = (performance.now() - start) / 1000;
    await writeJsonFile(
      doneFile,
      redactSecrets({ identity, value, seconds, finishedAt: new Date().toISOString() }),
    );
    this.observer?.finished(identity.stage, seconds, false);
    return { key, dir, value, reused: false, seconds };
  }

  private announce(stage: string, key: string, reused: boolean, log: (line: string) => void): void {
    if (this.observer) this.observer.started(stage, key, reused);
    else log(`${stage}: ${reused ? 'reusing' : 'computing'} ${key}`);
  }

  /** Forgets a stage's output so the next run recomputes it. */
  async invalidate(key: string): Promise<void> {
    await rm(this.dirOf(key), { recursive: true, force: true });
  }
}
