export interface ScheduleOptions {
  /** Steps of linear warm-up from 0 to the full learning rate. */
  warmupSteps: number;
  /** Total training steps; decay reaches minFactor here. */
  totalSteps: number;
  decay: 'linear' | 'cosine' | 'constant';
  /** Floor of the decayed factor (default 0). */
  minFactor?: number;
}

/**
 * Learning-rate factor for a 0-based step: linear warm-up, then linear or cosine decay to minFactor
 * (transformers' get_linear_schedule_with_warmup / get_cosine_schedule_with_warmup shapes).
 */
export function learningRateFactor(step: number, o: ScheduleOptions): number {
  const floor = o.minFactor ?? 0;
  if (step < o.warmupSteps) return (step + 1) / o.warmupSteps;
  if (o.decay === 'constant') return 1;
  const span = Math.max(1, o.totalSteps - o.warmupSteps);
  const progress = Math.min(1, (step - o.warmupSteps) / span);
  const shape = o.decay === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return floor + (1 - floor) * shape;
}
