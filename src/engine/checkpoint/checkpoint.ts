import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MissingFileError } from '../../util/errors.js';
import { readJsonFile, writeJsonFile } from '../../util/json.js';
import type { Module } from '../nn/module.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

export const WEIGHTS_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';

/**
 * A checkpoint directory: model.safetensors (the module's named parameters) and config.json (what is
 * needed to rebuild the module). Metadata strings go into the safetensors header.
 */
export async function saveCheckpoint(
  dir: string,
  module: Module,
  config: unknown,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeSafetensors(join(dir, WEIGHTS_FILE), module.stateDict(), { format: 'pt', ...metadata });
  await writeJsonFile(join(dir, CONFIG_FILE), config);
}

/** Reads config.json (so the caller can build the module) without touching weights. */
export function readCheckpointConfig(dir: string): unknown {
  return readJsonFile(
    join(dir, CONFIG_FILE),
    undefined,
    'a checkpoint directory holds config.json and model.safetensors',
  );
}

/** Loads weights into an already built module; returns the safetensors metadata. */
export async function loadCheckpointWeights(dir: string, module: Module): Promise<Record<string, string>> {
  const file = join(dir, WEIGHTS_FILE);
  if (!existsSync(file))
    throw new MissingFileError(file, 'a checkpoint directory holds config.json and model.safetensors');
  const { tensors, metadata } = await readSafetensors(file);
  module.loadStateDict(tensors, file);
  return metadata;
}
