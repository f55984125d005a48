import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

/**
 * Runs the built CLI in `cwd` without blocking this process (a mock server in this process must answer it):
 * its exit code, stdout and stderr, also when it fails.
 */
export async function runCliAsync(
  cwd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
