import { inflateRawSync } from 'node:zlib';
import { CrsaugError } from '../util/errors.js';

/** One file of a zip archive. */
export interface ZipEntry {
  name: string;
  /** The uncompressed bytes (read lazily: only entries asked for are inflated). */
  read(): Buffer;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/**
 * Lists the entries of a zip archive held in memory, using the central directory and Node's zlib for
 * deflate (the only compression besides "stored" that ordinary zip tools write). Zip64 is not supported:
 * the archives fetched here are a few MiB.
 */
export function readZip(archive: Buffer, source: string): ZipEntry[] {
  const bad = (problem: string) => new CrsaugError(`${source}: not a readable zip archive (${problem})`);
  let eocd = -1;
  for (let i = archive.length - 22; i >= Math.max(0, archive.length - 22 - 0xffff); i--) {
    if (archive.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('no end-of-central-directory record');
  const count = archive.readUInt16LE(eocd + 10);
  let at = archive.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (archive.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw bad(`bad central directory entry ${n}`);
    const method = archive.readUInt16LE(at + 10);
    const compressedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const localOffset = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    entries.push({
      name,
      read() {
        if (archive.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) throw bad(`bad local header of ${name}`);
        const start =
          localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
        const data = archive.subarray(start, start + compressedSize);
        if (method === 0) return Buffer.from(data);
        if (method !== 8) throw bad(`${name} uses compression method ${method}`);
        const out = inflateRawSync(data);
        if (out.length !== size) throw bad(`${name} inflated to ${out.length} bytes, expected ${size}`);
        return out;
      },
    });
  }
  return entries;
}
