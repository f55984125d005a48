/** Redirects stderr into a buffer (optionally as if it were a terminal) until `restore` is called. */
function captureStderr(tty: boolean): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const write = process.stderr.write;
  const wasTty = process.stderr.isTTY;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  process.stderr.isTTY = tty;
  return {
    text: () => chunks.join(''),
    restore: () => {
      process.stderr.write = write;
      process.stderr.isTTY = wasTty;
    },
  };
}

/** Collects what `fn` writes to stderr (optionally as if stderr were a terminal), restoring it afterwards. */
export async function stderrOf<T>(fn: () => Promise<T>, tty = false): Promise<{ value: T; text: string }> {
  const capture = captureStderr(tty);
  try {
    return { value: await fn(), text: capture.text() };
  } finally {
    capture.restore();
  }
}

/** stderrOf for a synchronous function: what it wrote. */
export function stderrOfSync(fn: () => void): string {
  const capture = captureStderr(false);
  try {
    fn();
    return capture.text();
  } finally {
    capture.restore();
  }
}
