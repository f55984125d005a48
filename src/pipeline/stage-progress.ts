import { formatDuration } from '../util/progress.js';

/** A stage `crsaug run` will run, with its expected work in units comparable within its kind. */
export interface PlannedStage {
  /** The artifact's stage name (e.g. `retrieve`, `train-kbrd-stage1`). */
  stage: string;
  kind: 'augment' | 'train' | 'evaluate';
  /** Work units: 1 per augment or evaluation stage, seeds × epoch budget per training stage. */
  units: number;
}

const KIND_NAMES: Record<PlannedStage['kind'], string> = {
  augment: 'an augmentation',
  train: 'a training',
  evaluate: 'an evaluation',
};

/** What the artifact store tells about each stage it runs. */
export interface StageObserver {
  started(stage: string, key: string, reused: boolean): void;
  finished(stage: string, seconds: number, reused: boolean): void;
}

/**
 * One line per stage: its place in the plan, whether it is computed or reused, the time so far and the
 * estimated time to the end of the run. The estimate extrapolates the seconds per unit measured on the
 * computed stages of each kind (reused ones cost nothing), so it appears once a stage of every remaining
 * kind has run, and it is an upper bound where early stopping ends training before the epoch budget.
 */
export class StageProgress implements StageObserver {
  private readonly start = performance.now();
  private readonly finishedStages = new Set<string>();
  private readonly measured = new Map<PlannedStage['kind'], { seconds: number; units: number }>();

  constructor(
    private readonly plan: readonly PlannedStage[],
    private readonly log: (line: string) => void,
  ) {}

  started(stage: string, key: string, reused: boolean): void {
    const index = this.plan.findIndex((p) => p.stage === stage);
    const place = index >= 0 ? `${index + 1}/${this.plan.length}` : '+';
    const elapsed = formatDuration((performance.now() - this.start) / 1000);
    const eta = reused ? '' : `, ETA ${this.eta()}`;
    this.log(`[${place}] ${stage}: ${reused ? 'reusing' : 'computing'} ${key} (${elapsed} so far${eta})`);
  }

  finished(stage: string, seconds: number, reused: boolean): void {
    this.finishedStages.add(stage);
    const planned = this.plan.find((p) => p.stage === stage);
    if (!planned || reused) return;
    const m = this.measured.get(planned.kind) ?? { seconds: 0, units: 0 };
    this.measured.set(planned.kind, { seconds: m.seconds + seconds, units: m.units + planned.units });
  }

  /** Time left for the stages not finished yet, or "unknown" while a remaining kind has no measurement. */
  eta(): string {
    let seconds = 0;
    for (const p of this.plan) {
      if (this.finishedStages.has(p.stage)) continue;
      const m = this.measured.get(p.kind);
      if (!m || m.units === 0) return `known once ${KIND_NAMES[p.kind]} stage has run`;
      seconds += (m.seconds / m.units) * p.units;
    }
    return `about ${formatDuration(seconds)}`;
  }
}
