import type { Dataset, RecContext } from '../../data/types.js';
import type { Rng } from '../../util/rng.js';
import { dialogueRng } from './dialogue.js';
import { CatalogLinker } from './entity-links.js';
import { TargetAttributes } from './target-attributes.js';

/**
 * What every simulator knows of a dataset: its targets' attributes and the entity linker for what the user
 * says. With several gold items a user describes one of them, chosen by the seed per dialogue (and is
 * satisfied by any).
 */
export class SimulatorKnowledge {
  readonly attributes: TargetAttributes;
  readonly linker: CatalogLinker;

  constructor(readonly dataset: Pick<Dataset, 'catalog' | 'kg'>) {
    this.attributes = new TargetAttributes(dataset.catalog, dataset.kg);
    this.linker = new CatalogLinker(dataset.catalog);
  }

  /** The target a dialogue's user describes, and that dialogue's seeded stream for anything else. */
  describedTarget(seed: number, context: RecContext, targets: readonly number[]): { item: number; rng: Rng } {
    const rng = dialogueRng(seed, context);
    return { item: targets[rng.int(targets.length)]!, rng };
  }
}
