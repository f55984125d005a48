import { existsSync, statSync } from 'node:fs';
/** Where in an input a problem sits; every field optional because not every input has lines or fields. */
export interface InputLocation {
  file?: string;
  line?: number;
  field?: string;
}

/** Base class for errors that are the user's to fix: the CLI prints their message without a stack. */
export class CrsaugError extends Error {
  readonly hint?: string;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CrsaugError';
    this.hint = options.hint;
  }
}

/** A command line that cannot work (flags that exclude each other, a value the command cannot take): exit 2. */
export class UsageError extends CrsaugError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Bad input data: the message names file, line and field so the user can go straight to it. */
export class InputError extends CrsaugError {
  readonly location: InputLocation;
  constructor(location: InputLocation, problem: string, options: { hint?: string; cause?: unknown } = {}) {
    super(`${formatLocation(location)}${problem}`, options);
    this.name = 'InputError';
    this.location = location;
  }
}

/** A required file is absent; the hint says how to get it. */
export class MissingFileError extends CrsaugError {
  readonly file: string;
  constructor(file: string, hint: string) {
    super(`missing file: ${file}`, { hint });
    this.name = 'MissingFileError';
    this.file = file;
  }
}

/**
 * A file the user named must exist and be a file: a folder would otherwise fail deep inside a reader with a
 * bare EISDIR that names no path.
 */
export function assertReadableFile(file: string, missingHint: string, expected: string): void {
  if (!existsSync(file)) throw new MissingFileError(file, missingHint);
  if (statSync(file).isDirectory())
    throw new InputError({ file }, `is a folder; expected ${expected}`, { hint: missingHint });
}

export function formatLocation({ file, line, field }: InputLocation): string {
  let where = file ?? '';
  if (line !== undefined) where += `${where ? ':' : 'line '}${line}`;
  if (field) where += `${where ? ': ' : ''}field "${field}"`;
  return where ? `${where}: ` : '';
}
