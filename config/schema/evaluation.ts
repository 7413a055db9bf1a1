import { z } from 'zod';
import { scOptionsSchema, sotOptionsSchema } from './methods';
import { HUB_REPO_ID } from '../../core/hub-repo-id';

const hubFileSchema = z
  .object({
    /** Dataset repo on the Hub (`owner/name`). */
    repo: z.string().regex(HUB_REPO_ID, 'owner/name'),
    /** File inside the repo (JSONL, JSON, CSV or Parquet). */
    file: z.string().min(1),
    revision: z.string().default('main'),
  })
  .strict();

/** Evaluation: benchmarks, method settings, concurrency and reports. */
export const evaluationSchema = z
  .object({
    /** Where benchmark files come from when `--data` is not given. */
    datasets: z
      .object({
        math500: hubFileSchema.prefault({ repo: 'HuggingFaceH4/MATH-500', file: 'test.jsonl' }),
        /** 30 problems of AIME 2024 I and II; the Parquet file of the dataset's `train` split. */
        aime2024: hubFileSchema.prefault({
          repo: 'HuggingFaceH4/aime_2024',
          file: 'data/train-00000-of-00001.parquet',
        }),
        /** Gated on the Hub: needs the token named by `hub.tokenEnv`. */
        gpqa: hubFileSchema.prefault({ repo: 'Idavidrein/gpqa', file: 'gpqa_diamond.csv' }),
      })
      .strict()
      .prefault({}),
    /** Seed of the per-question GPQA option shuffle. */
    gpqaSeed: z.number().int().default(0),
    countdown: z
      .object({
        /** Problems generated when no `--data` file is given. */
        count: z.number().int().positive().default(200),
        seed: z.number().int().default(1),
        minNumbers: z.number().int().min(2).default(3),
        maxNumbers: z.number().int().min(2).max(6).default(4),
        numberMax: z.number().int().min(2).default(99),
        targetMin: z.number().int().default(10),
        targetMax: z.number().int().default(100),
        /** Reject equations with a non-exact division step. */
        requireIntegerDivision: z.boolean().default(false),
        /** Every problem once: a draw that repeats an earlier problem (numbers and target) is skipped. */
        distinct: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Problems run at once (child workflows in flight). */
    concurrency: z.number().int().positive().default(8),
    /** Pool serving the method calls; default the planner role's pool. */
    pool: z.string().optional(),
    /** Output folder of `sprint eval` when `--out` is not given. */
    outDir: z.string().default('.sprint/eval'),
    /** Sampling temperature of every method in an evaluation (paper: 0.6). The sequential cap is session.sequentialMaxTokens. */
    temperature: z.number().min(0).max(2).default(0.6),
    /**
     * The baselines' (SoT, self-consistency) chat template: a model's `tokenizer_config.json` (or
     * its folder), rendered with the model's own `chat_template` when the evaluation starts. Unset:
     * the methods' default template.
     */
    chatTemplateFile: z.string().min(1).optional(),
    sot: sotOptionsSchema.prefault({}),
    sc: scOptionsSchema.prefault({}),
    /** Upper edges of the sequential-token bins of the length-bucket view (the last bin is open). */
    lengthBins: z
      .array(z.number().int().positive())
      .min(1)
      .default([2000, 4000, 6000, 8000, 10000, 12000, 15000]),
    /** Characters per token for transcripts scored without a tokenizer (`sprint eval score`). */
    charsPerToken: z.number().positive().default(4),
  })
  .strict();

export type EvaluationConfig = z.infer<typeof evaluationSchema>;
