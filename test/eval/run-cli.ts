import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/paths.js';

export const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'index.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a child process (from the package root, so ../shared/data is found). */
export function runCli(args: string[]): CliRun {
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs the CLI with --json and parses stdout; fails with stderr when the command fails. */
export function runCliJson(args: string[]): Record<string, unknown> & Record<`${string}@${number}`, number> {
  const run = runCli([...args, '--json']);
  if (run.status !== 0) throw new Error(`crsaug ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
