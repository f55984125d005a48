import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LlamaModel } from 'node-llama-cpp';
import { CrsaugError, MissingFileError } from '../../util/errors.js';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

/** node-llama-cpp is an optional dependency (a 732 MB install), so it is imported only when asked for. */
export async function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  try {
    return await import('node-llama-cpp');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CrsaugError(
        'the llamacpp provider needs the optional package node-llama-cpp, which is not installed',
        {
          hint: "install it with: npm install -E node-llama-cpp@3.21.1 (or use an openai-compatible server such as llama.cpp's llama-server)",
          cause: error,
        },
      );
    }
    throw error;
  }
}

const loadedModels = new Map<string, Promise<LlamaModel>>();

/**
 * Loads a GGUF once per process on the CPU with the prebuilt binary (never compiling llama.cpp at run
 * time); chat and embedding models on the same file share the weights.
 */
export function loadGguf(modelPath: string): Promise<LlamaModel> {
  const file = resolve(modelPath);
  if (!existsSync(file)) {
    throw new MissingFileError(
      file,
      'point modelPath at a .gguf file (for example one downloaded from Hugging Face)',
    );
  }
  let model = loadedModels.get(file);
  if (!model) {
    model = (async () => {
      const { getLlama, LlamaLogLevel } = await importNodeLlamaCpp();
      const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
      return llama.loadModel({ modelPath: file });
    })();
    loadedModels.set(file, model);
    model.catch(() => loadedModels.delete(file));
  }
  return model;
}
