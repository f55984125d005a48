// Builds the engine's WebAssembly kernels from src/engine/kernels/*.as with the npm AssemblyScript compiler:
// a plain-SIMD build and a relaxed-SIMD (FMA) build, written to src/engine/kernels/build/ (or --out DIR).
// The sources use the .as extension because tsc and biome would otherwise treat them as TypeScript;
// the compiler is handed them under .ts names through its readFile hook.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src/engine/kernels');
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag >= 0 ? resolve(process.argv[outFlag + 1]) : join(sourceDir, 'build');

const flavours = [
  { name: 'engine-simd.wasm', relaxed: 0, features: ['simd', 'threads'] },
  { name: 'engine-relaxed.wasm', relaxed: 1, features: ['simd', 'threads', 'relaxed-simd'] },
];

await mkdir(outDir, { recursive: true });
for (const flavour of flavours) {
  let binary = null;
  const { error, stderr } = await asc.main(
    [
      'index.ts',
      '--outFile',
      flavour.name,
      '-O3',
      '--noAssert',
      '--runtime',
      'stub',
      '--use',
      'abort=',
      // Tensor storage is one shared memory made by the host; workers instantiate the same module on it.
      '--importMemory',
      '--noExportMemory',
      '--sharedMemory',
      '--initialMemory',
      '1',
      '--maximumMemory',
      '65536',
      '--use',
      `RELAXED=${flavour.relaxed}`,
      '--enable',
      flavour.features.join(','),
    ],
    {
      readFile: async (name) => {
        if (!name.endsWith('.ts') || name.includes('/')) return null;
        try {
          return await readFile(join(sourceDir, name.replace(/\.ts$/, '.as')), 'utf8');
        } catch {
          return null;
        }
      },
      writeFile: (name, contents) => {
        if (name === flavour.name) binary = contents;
      },
      listFiles: () => [],
    },
  );
  if (error) {
    process.stderr.write(stderr.toString());
    throw error;
  }
  await writeFile(join(outDir, flavour.name), binary);
  console.log(`${join(outDir, flavour.name)}: ${binary.length} bytes`);
}
