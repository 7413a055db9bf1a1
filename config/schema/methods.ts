import { z } from 'zod';
import { answerKinds, DEFAULT_PROMPT_TEMPLATE } from '../../core/methods/baselines';

/*
 * Settings of the baseline methods, Skeleton-of-Thought and self-consistency. The method-specific
 * parts are also the config's `evaluation.sot` / `evaluation.sc` sections; the method workflows
 * parse what they receive with the full schemas below (defaults filled in, bad fields named).
 */

/** Skeleton-of-Thought's own sizes (config `evaluation.sot`). */
export const sotOptionsSchema = z
  .object({
    maxPoints: z.number().int().positive().default(10),
    skeletonMaxTokens: z.number().int().positive().default(1_000),
    pointMaxTokens: z.number().int().positive().default(2_000),
    joinMaxTokens: z.number().int().positive().default(4_000),
  })
  .strict();

/** Self-consistency's own sizes (config `evaluation.sc`). */
export const scOptionsSchema = z
  .object({
    /** Samples per problem (paper: 20). */
    samples: z.number().int().positive().default(20),
    maxTokens: z.number().int().positive().default(8_000),
  })
  .strict();

/** Settings both baselines take besides their own. */
const baselineFields = {
  /** How the answer is read out of a reply (the benchmark's answer shape). */
  answerKind: z.enum(answerKinds).default('math'),
  temperature: z.number().min(0).default(0.6),
  /** Raw-completion template with `{question}`; default the R1-Distill chat template. */
  promptTemplate: z
    .string()
    .refine((t) => t.includes('{question}'), 'must contain {question}')
    .default(DEFAULT_PROMPT_TEMPLATE),
  /** Per-call timeout of one attempt. */
  callTimeoutMs: z.number().min(1000).default(600_000),
};

export const sotSettingsSchema = sotOptionsSchema.extend(baselineFields).strict();
export const scSettingsSchema = scOptionsSchema
  .extend({
    ...baselineFields,
    /** Base seed: sample i gets seed + i, so engines that honour seeds sample differently. */
    seed: z.number().int().min(0).default(0),
  })
  .strict();

export type SotSettings = z.infer<typeof sotSettingsSchema>;
export type SotSettingsInput = z.input<typeof sotSettingsSchema>;
export type ScSettings = z.infer<typeof scSettingsSchema>;
export type ScSettingsInput = z.input<typeof scSettingsSchema>;
