import { z } from 'zod';
import { extractorKinds, sampleFormats, servingCallsLosses } from '../../core/curation/names';
import { executorStrategies } from '../../core/format/executor-strategies';

/** Curation: sequential traces -> SPRINT samples (docs/sprint-format.md#curation-pipeline). */
export const curationSchema = z
  .object({
    /** Step extraction backend: `offline` (deterministic, no model) or `llm` (roles extractor + dag). */
    extractor: z.enum(extractorKinds).default('offline'),
    /**
     * Sample layout. `released`: the released SPRINT pipeline's trajectories byte for byte
     * (docs/sprint-format.md#released-trajectory-rendering; comments become `Observation about execution_p.k` in the plans that use
     * the result). `legacy`: this platform's first layout (`-----` between all components, comments
     * appended to their own plan), kept only so datasets curated before can be reproduced.
     */
    format: z.enum(sampleFormats).default('released'),
    /**
     * Samples longer than this many tokens (prompt + completion) are dropped, never truncated
     * (released training: max length 7168). Estimated as ceil(characters / 3.2): R1-Distill/Qwen
     * tokenizers average about 3.5-4 characters a token on English math, so the estimate errs
     * toward dropping. Set it to the trainer's max length.
     */
    maxSampleTokens: z.number().int().positive().default(7168),
    /** Traces in flight at once per curation run. */
    concurrency: z.number().int().positive().default(16),
    /** An execution spanning lines a..b with b - a < this becomes plan-only (released pipeline: 3). */
    shortExecutionThreshold: z.number().int().nonnegative().default(3),
    /** Keep a trace when its parallelization ratio is at least this ... */
    minRatio: z.number().nonnegative().default(1.5),
    /** ... and it needs at most this many stages. */
    maxStages: z.number().int().positive().default(11),
    /** Share of kept samples in the test split, and the split's seed. */
    testFraction: z.number().min(0).max(1).default(0.1),
    splitSeed: z.number().int().default(42),
    /** Traces per artifact chunk (workflows pass chunk refs, never trace text). */
    chunkSize: z.number().int().positive().default(200),
    /** A run continues as new after this many traces, so its history stays small. */
    continueAsNewAfter: z.number().int().positive().default(2000),
    /** Per-trace activity limits. */
    traceTimeoutMs: z.number().int().positive().default(900_000),
    heartbeatTimeoutMs: z.number().int().positive().default(60_000),
    maxAttempts: z.number().int().positive().default(6),
    llm: z
      .object({
        /** Repairs after an invalid structured reply (the model sees its own error), then the trace fails. */
        maxRepairs: z.number().int().nonnegative().default(2),
        temperature: z.number().min(0).max(2).default(0),
        maxTokens: z.number().int().positive().default(8192),
        /** Traces whose numbered listing exceeds this estimate (chars / 4) are skipped with a reason. */
        contextBudgetTokens: z.number().int().positive().default(100_000),
        /** Ask for `response_format: json_object` (turn off for engines without it). */
        jsonMode: z.boolean().default(true),
        /**
         * With jsonMode: `response_format: json_schema` generated from the reply schema on engines
         * that support it (openai, vllm, sglang); `json_object` elsewhere or when false.
         */
        structuredOutputs: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /**
     * Add to each SPRINT trajectory a sample for every model call it does not show as a session
     * with this executor strategy serves it (executors p.2 on: docs/demo.md#samples-in-the-serving-shape).
     * Unset (default): whole trajectories only, as the paper trains.
     */
    servingCalls: z.enum(executorStrategies).optional(),
    /**
     * What the added serving-call records train: `reply` (default), the call's reply only;
     * `context`, everything after the question (the plan and opened tags before the reply too, the
     * same text): the planner then learns from every record (docs/demo.md#samples-in-the-serving-shape).
     */
    servingCallsLoss: z.enum(servingCallsLosses).optional(),
    /** System instructions of the SPRINT samples and of the RFT control set (default: built-in text). */
    system: z.string().optional(),
    rftSystem: z.string().optional(),
    /** Training prompt layout; `{system}` and `{question}` are filled in. */
    promptTemplate: z.string().optional(),
  })
  .strict();

export type CurationConfig = z.infer<typeof curationSchema>;
