import { unzipSync } from 'fflate';
import { CrsaugError } from '../util/errors.js';

/** One file of a zip archive. */
export interface ZipEntry {
  name: string;
  /** The uncompressed bytes (read lazily: only entries asked for are inflated). */
  read(): Buffer;
}

/** Lists the entries of a zip archive held in memory (fflate: stored and deflate entries, checked sizes). */
export function readZip(archive: Buffer, source: string): ZipEntry[] {
  const bytes = new Uint8Array(archive.buffer, archive.byteOffset, archive.byteLength);
  const unzip = (wanted: (name: string) => boolean) => {
    try {
      return unzipSync(bytes, { filter: (file) => wanted(file.name) });
    } catch (err) {
      throw new CrsaugError(`${source}: not a readable zip archive (${(err as Error).message})`);
    }
  };
  const names: string[] = [];
  unzip((name) => {
    names.push(name);
    return false;
  });
  return names.map((name) => ({
    name,
    read: () => Buffer.from(unzip((n) => n === name)[name]!),
  }));
}
