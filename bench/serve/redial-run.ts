// The ReDial run folder the serve bench loads: the one `crsaug run --dataset redial` wrote into runs/redial when
// there is one, else a small one (one seed, one epoch per stage) built once into the user cache and reused.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/load.js';
import { cacheDirOf, PACKAGE_ROOT } from '../../src/config/paths.js';
import { runPipeline } from '../../src/pipeline/run.js';

export interface BenchRun {
  runsDir: string;
  id: string;
  /** Which run it is, for the results. */
  description: string;
}

export async function redialRun(): Promise<BenchRun> {
  const own = join(PACKAGE_ROOT, 'runs');
  if (existsSync(join(own, 'redial', 'results.json'))) {
    return { runsDir: own, id: 'redial', description: 'runs/redial (`crsaug run --dataset redial`)' };
  }
  const runsDir = join(cacheDirOf({}), 'bench', 'serve-runs');
  const config = resolveConfig({
    env: {},
    flags: { dataset: 'redial', train: { epochs: 1, seeds: 1 }, run: { stage1Epochs: 1, examples: 0 } },
  });
  await runPipeline(config, join(runsDir, 'redial'), (line) =>
    process.stderr.write(`bench serve run: ${line}\n`),
  );
  return {
    runsDir,
    id: 'redial',
    description: `a one-seed, one-epoch ReDial run built by the bench (${join(runsDir, 'redial')}; weights do not change the cost)`,
  };
}
