// What every RESULTS.md section names: the machine, the runtimes, and whether PyTorch is there to compare with.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

/** Debian's Python: python3-torch and numpy are installed for it, not for a pyenv python3 on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface PythonStack {
  /** torch and numpy versions, or why they are missing. */
  torch?: string;
  numpy?: string;
  /** Set when PyTorch could not be imported (and could not be installed). */
  unavailable?: string;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function cpuFlags(): string {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    const have = new Set(flags?.split(':')[1]?.trim().split(/\s+/) ?? []);
    return ['avx2', 'fma', 'avx512f'].filter((f) => have.has(f)).join(', ') || 'none of avx2/fma/avx512f';
  } catch {
    return 'unknown';
  }
}

function importVersions(): { torch?: string; numpy?: string; error?: string } {
  const probe = spawnSync(
    SYSTEM_PYTHON,
    ['-c', 'import torch, numpy; print(torch.__version__, numpy.__version__)'],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 0) return { error: (probe.stderr || probe.error?.message || 'import failed').trim() };
  const [torch, numpy] = probe.stdout.trim().split(' ');
  return { torch, numpy };
}

/**
 * torch and numpy for the system Python. When torch does not import, installs Debian's python3-torch with
 * OpenBLAS (without libopenblas0-pthread torch falls back to the reference BLAS and runs ~30x slower).
 */
export function ensurePytorch(): PythonStack {
  let found = importVersions();
  if (found.error) {
    process.stderr.write('bench: PyTorch missing for /usr/bin/python3, trying apt-get install\n');
    const install = spawnSync('apt-get', ['install', '-y', 'python3-torch', 'libopenblas0-pthread'], {
      encoding: 'utf8',
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    if (install.status !== 0) {
      const why = (install.stderr || install.error?.message || `exit ${install.status}`)
        .trim()
        .split('\n')
        .pop();
      return { unavailable: `PyTorch unavailable: apt-get install failed (${why})` };
    }
    found = importVersions();
    if (found.error) return { unavailable: `PyTorch unavailable: ${found.error.split('\n').pop()}` };
  }
  return { torch: found.torch, numpy: found.numpy };
}

/** Runs a Python script with the system Python and returns its stdout (throws with its stderr on failure). */
export function runPython(
  script: string,
  args: string[],
  timeoutMs = 15 * 60_000,
  env: Record<string, string> = {},
): string {
  return execFileSync(SYSTEM_PYTHON, [script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, ...env },
    maxBuffer: 64 * 2 ** 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** One Markdown line describing the machine and runtimes. */
export function describeMachine(python: PythonStack): string {
  const stack = python.unavailable ?? `PyTorch ${python.torch} + numpy ${python.numpy} (${SYSTEM_PYTHON})`;
  return (
    `CPU: ${cpuModel()} (${cpuFlags()}), ${availableParallelism()} cores, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; Node ${process.version}; ${stack}`
  );
}
