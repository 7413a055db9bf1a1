/**
 * Trainer profiles: each is a YAML recipe in infra/sft/recipes/ (`auto`: `cpu` without CUDA, else
 * `paper`). `paper` and `released` are docs/sprint-format.md#fine-tuning and docs/sprint-format.md#released-training; `single-gpu-80gb` chooses
 * Adafactor to fit 7B full fine-tuning on one 80 GB GPU (a choice the profile names, never a swap).
 * Own module: the CLI's option help lists them without loading zod.
 */
export const trainingProfiles = ['auto', 'paper', 'released', 'single-gpu-80gb', 'cpu'] as const;
export type TrainingProfile = (typeof trainingProfiles)[number];
