import type { Hyperparameters, TrainingConfig } from '../../config/schema/training';
import type { TrainingJobInput } from './types';

/** The settings of one run: config defaults with the input's overrides applied. */
export interface ResolvedRun {
  baseModel: string;
  profile: string;
  hyperparameters: Hyperparameters;
  maxRestarts: number;
}

export function resolveRun(config: TrainingConfig, input: TrainingJobInput): ResolvedRun {
  const hp: Hyperparameters = { ...config.hyperparameters };
  for (const [k, v] of Object.entries(input.hyperparameters ?? {})) {
    if (v !== undefined) (hp as unknown as Record<string, unknown>)[k] = v;
  }
  return {
    baseModel: input.tiny
      ? 'tiny-qwen2'
      : input.modelConfig
        ? 'qwen2-from-config'
        : (input.baseModel ?? config.baseModel),
    profile: input.profile ?? config.profile,
    hyperparameters: hp,
    maxRestarts: input.maxRestarts ?? config.maxRestarts,
  };
}

/** Trainer flags (infra/sft/train.py) for a run, without the dataset and output paths. */
export function trainerArgs(input: TrainingJobInput, run: ResolvedRun): string[] {
  const hp = run.hyperparameters;
  const args: string[] = [];
  if (input.tiny) args.push('--tiny-qwen2');
  if (input.modelConfig) args.push('--model-config', JSON.stringify(input.modelConfig));
  if (!input.tiny && !input.modelConfig) args.push('--model', run.baseModel);
  args.push('--profile', run.profile);
  args.push('--epochs', String(hp.epochs));
  if (hp.maxSteps !== undefined) args.push('--max-steps', String(hp.maxSteps));
  args.push('--lr', String(hp.learningRate), '--weight-decay', String(hp.weightDecay));
  args.push('--warmup-ratio', String(hp.warmupRatio), '--scheduler', hp.scheduler);
  if (hp.maxLength !== undefined) args.push('--max-length', String(hp.maxLength));
  if (hp.perDeviceBatchSize !== undefined)
    args.push('--per-device-batch-size', String(hp.perDeviceBatchSize));
  if (hp.gradientAccumulationSteps !== undefined)
    args.push('--gradient-accumulation-steps', String(hp.gradientAccumulationSteps));
  if (hp.optim !== undefined) args.push('--optim', hp.optim);
  if (hp.bf16 !== undefined) args.push(hp.bf16 ? '--bf16' : '--no-bf16');
  if (hp.gradientCheckpointing !== undefined)
    args.push(hp.gradientCheckpointing ? '--gradient-checkpointing' : '--no-gradient-checkpointing');
  args.push('--save-steps', String(hp.saveSteps));
  if (hp.evalSteps !== undefined) args.push('--eval-steps', String(hp.evalSteps));
  args.push('--save-total-limit', String(hp.saveTotalLimit), '--seed', String(hp.seed));
  if (hp.promptTemplate !== undefined) args.push('--prompt-template', hp.promptTemplate);
  args.push(...(input.extraArgs ?? []));
  return args;
}

/** Job/container name of one launch: lowercase DNS-1123, at most 63 characters, deterministic. */
export function jobName(runId: string, launch: number): string {
  const clean = runId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const suffix = `-${launch}`;
  const head = `sprint-train-${clean}`.slice(0, 63 - suffix.length).replace(/-+$/g, '');
  return `${head}${suffix}`;
}

/** Maps a local path into a container by the first matching prefix (or returns undefined). */
export function mapPath(
  pathMap: { local: string; remote: string }[],
  p: string,
  direction: 'in' | 'out' = 'in',
): string | undefined {
  for (const m of pathMap) {
    const [from, to] = direction === 'in' ? [m.local, m.remote] : [m.remote, m.local];
    const base = from.replace(/\/+$/, '');
    if (p === base || p.startsWith(`${base}/`)) return `${to.replace(/\/+$/, '')}${p.slice(base.length)}`;
  }
  return undefined;
}
