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

/**
 * Trainer flags (infra/sft/train.py) for a run, without the dataset and output paths. Names are
 * TRL's / transformers' own (`--learning_rate`), so what a user knows from `trl sft` works here;
 * a setting left unset is not passed, and the profile's recipe decides it.
 */
export function trainerArgs(input: TrainingJobInput, run: ResolvedRun): string[] {
  const hp = run.hyperparameters;
  const args: string[] = [];
  const flag = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) args.push(`--${name}`, String(value));
  };
  if (input.tiny) args.push('--tiny_qwen2');
  if (input.modelConfig) flag('model_config', JSON.stringify(input.modelConfig));
  if (!input.tiny && !input.modelConfig) flag('model_name_or_path', run.baseModel);
  flag('profile', run.profile);
  flag('config', hp.recipe);
  flag('num_train_epochs', hp.epochs);
  flag('max_steps', hp.maxSteps);
  flag('learning_rate', hp.learningRate);
  flag('weight_decay', hp.weightDecay);
  // transformers 5 takes the warm-up ratio as a fraction in warmup_steps.
  flag('warmup_steps', hp.warmupRatio);
  flag('lr_scheduler_type', hp.scheduler);
  flag('max_length', hp.maxLength);
  flag('per_device_train_batch_size', hp.perDeviceBatchSize);
  flag('gradient_accumulation_steps', hp.gradientAccumulationSteps);
  flag('optim', hp.optim);
  flag('bf16', hp.bf16);
  flag('gradient_checkpointing', hp.gradientCheckpointing);
  flag('attn_implementation', hp.attnImplementation);
  flag('packing', hp.packing);
  flag('use_liger_kernel', hp.useLigerKernel);
  // One flag value; the trainer splits it (transformers' parser takes a single string).
  flag('report_to', hp.reportTo?.join(','));
  if (hp.pushCheckpointsTo) {
    flag('push_to_hub', true);
    flag('hub_model_id', hp.pushCheckpointsTo);
    flag('hub_strategy', 'every_save');
  }
  flag('save_steps', hp.saveSteps);
  flag('eval_steps', hp.evalSteps);
  flag('save_total_limit', hp.saveTotalLimit);
  flag('seed', hp.seed);
  flag('prompt_template', hp.promptTemplate);
  for (const [name, value] of Object.entries(hp.trainingArgs ?? {})) flag(name, value);
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
