import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { InputError } from '../../util/errors.js';
import type { NamedArray } from '../nn/module.js';

/**
 * safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length N, N bytes
 * of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the
 * raw little-endian tensor bytes, back to back in header order with no gaps. The header is padded with
 * spaces to a multiple of 8 bytes so the data starts aligned, as the reference writer does.
 */
export interface SafetensorsFile {
  tensors: Map<string, NamedArray>;
  metadata: Record<string, string>;
}

export function encodeSafetensors(
  tensors: ReadonlyMap<string, NamedArray>,
  metadata: Record<string, string> = {},
): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new Error('"__metadata__" is reserved in safetensors');
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let at = 8 + json.length;
  for (const t of tensors.values()) {
    // Copy through a DataView so the bytes are little-endian whatever the host.
    const view = new DataView(out.buffer, out.byteOffset + at, t.data.length * 4);
    for (let i = 0; i < t.data.length; i++) view.setFloat32(i * 4, t.data[i]!, true);
    at += t.data.length * 4;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, file = '<buffer>'): SafetensorsFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8)
    throw new InputError({ file }, 'not a safetensors file (shorter than its 8-byte header length)');
  const headerLength = Number(buf.readBigUInt64LE(0));
  if (8 + headerLength > buf.length) {
    throw new InputError(
      { file },
      `safetensors header length ${headerLength} exceeds the file size ${buf.length}`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (cause) {
    throw new InputError({ file }, 'safetensors header is not valid JSON', { cause });
  }
  const dataStart = 8 + headerLength;
  const dataLength = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, NamedArray>();
  const spans: Array<[number, number]> = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string')
          throw new InputError({ file, field: `__metadata__.${k}` }, 'metadata values must be strings');
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32')
      throw new InputError(
        { file, field: `${name}.dtype` },
        `dtype ${String(e.dtype)} is not supported (only F32)`,
      );
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new InputError({ file, field: `${name}.shape` }, 'shape must be a list of non-negative integers');
    }
    const offsets = e.data_offsets;
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every(Number.isInteger) ||
      offsets[1] - offsets[0] !== count * 4 ||
      offsets[0] < 0 ||
      offsets[1] > dataLength
    ) {
      throw new InputError(
        { file, field: `${name}.data_offsets` },
        `data_offsets must span ${count * 4} bytes inside the data`,
      );
    }
    const view = new DataView(buf.buffer, buf.byteOffset + dataStart + offsets[0], count * 4);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    tensors.set(name, { shape, data });
    spans.push([offsets[0], offsets[1]]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end] of spans) {
    if (begin !== expected)
      throw new InputError({ file }, 'safetensors data has a gap or overlap between tensors');
    expected = end;
  }
  if (expected !== dataLength)
    throw new InputError({ file }, `safetensors data is ${dataLength} bytes, the header covers ${expected}`);
  return { tensors, metadata };
}

/** Writes atomically (temp file + rename). */
export async function writeSafetensors(
  file: string,
  tensors: ReadonlyMap<string, NamedArray>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

export async function readSafetensors(file: string): Promise<SafetensorsFile> {
  return decodeSafetensors(await readFile(file), file);
}
