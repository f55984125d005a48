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

export function formatLocation({ file, line, field }: InputLocation): string {
  let where = file ?? '';
  if (line !== undefined) where += `${where ? ':' : 'line '}${line}`;
  if (field) where += `${where ? ': ' : ''}field "${field}"`;
  return where ? `${where}: ` : '';
}
