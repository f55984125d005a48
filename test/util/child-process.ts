import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/**
 * Starts a compiled test child script with Node and extra environment variables (the kill-and-restart tests),
 * collecting its stdout; stderr goes to the test's own.
 */
export function startChild(
  script: string,
  env: Record<string, string>,
): { child: ChildProcess; exited: Promise<ChildExit> } {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  const exited = new Promise<ChildExit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { child, exited };
}
