import { z } from 'zod';
import { DEFAULT_SYSTEM_PROMPT } from '../../core/format/prompts';

export { DEFAULT_SYSTEM_PROMPT };

/**
 * Settings of SPRINT inference sessions (workflows/session/) and of the sequential baseline.
 * Defaults follow the paper (SPRINT.md section 3). The CLI passes these, resolved, in the workflow
 * input; the workflow re-applies the defaults to whatever it receives, so partial settings work.
 */
export const sessionSchema = z
  .object({
    /** Executor prompts: `shared-prefix` (same full plan for all executors; prefix-cache friendly) or `reorder` (released code). */
    executorStrategy: z.enum(['shared-prefix', 'reorder']).default('shared-prefix'),
    /** Phases at most; the last one is forced to answer by appending `<Final_answer>\n`. */
    maxPhases: z.number().int().min(1).max(64).default(12),
    /** Generated tokens per plan or execution call. */
    maxTokensPerCall: z.number().int().positive().default(8000),
    temperature: z.number().min(0).max(2).default(0.6),
    topP: z.number().gt(0).max(1).optional(),
    /** Base seed for reproducible sampling (each call derives its own); unset: engine randomness. */
    seed: z.number().int().nonnegative().optional(),
    /** Fan-out cap: prompts beyond this many per plan keep their text but get no executor. */
    maxPromptsPerRound: z.number().int().positive().default(16),
    /** Also stop the planner at `</Execution_` and `</think>` as the released code does. */
    releasedStops: z.boolean().default(false),
    /** Resample over-long plans/executions (released code: plans > 1000, executions > 2000 tokens, 3 tries). */
    resample: z
      .object({
        enabled: z.boolean().default(false),
        planMaxTokens: z.number().int().positive().default(1000),
        executionMaxTokens: z.number().int().positive().default(2000),
        maxTries: z.number().int().min(1).default(3),
      })
      .strict()
      .prefault({}),
    /** Start each executor as soon as its `</prompt_p.k>` closes in the streamed plan. */
    streamingDispatch: z.boolean().default(false),
    /** Prompt prefix: `{system}` and `{question}` are filled in; `<think>\n` follows. Put the model's chat template here. */
    promptTemplate: z.string().default('{system}\n\n<Question>\n{question}\n</Question>\n\n'),
    systemPrompt: z.string().default(DEFAULT_SYSTEM_PROMPT),
    /** Rounds per workflow run before continue-as-new (the transcript so far goes to the artifact store). */
    continueAsNewAfterRounds: z.number().int().min(1).default(8),
    /** Sticky routing: how long a call waits for its replica's worker before moving to the shared queue. */
    stickyScheduleToStartMs: z.number().int().positive().default(15_000),
    /** A model call whose worker stops heartbeating this long is retried elsewhere. */
    heartbeatTimeoutMs: z.number().int().positive().default(20_000),
    /** Upper bound of one model call attempt. */
    callTimeoutMs: z.number().int().positive().default(900_000),
    retry: z
      .object({
        initialIntervalMs: z.number().int().positive().default(1000),
        backoffCoefficient: z.number().min(1).default(2),
        maximumIntervalMs: z.number().int().positive().default(30_000),
        maximumAttempts: z.number().int().min(1).default(10),
      })
      .strict()
      .prefault({}),
    /** The sequential baseline's token cap (paper: 36,000). */
    sequentialMaxTokens: z.number().int().positive().default(36_000),
  })
  .strict();

export type SessionSettings = z.infer<typeof sessionSchema>;
export type SessionSettingsInput = z.input<typeof sessionSchema>;
