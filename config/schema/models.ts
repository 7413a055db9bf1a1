import { z } from 'zod';

export const engineKinds = ['vllm', 'sglang', 'openai', 'generic'] as const;
export type EngineKind = (typeof engineKinds)[number];

const replicaSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    /** OpenAI-compatible base URL, e.g. http://gpu-0:8000/v1 */
    baseUrl: z.url(),
    /** Task queue served by this replica's llm worker; default `sprint-llm-<pool>-<replica>`. */
    taskQueue: z.string().min(1).optional(),
  })
  .strict();

const poolSchema = z
  .object({
    /** Model name sent in each request (what the engine serves). */
    model: z.string().min(1),
    engine: z.enum(engineKinds).default('generic'),
    /** Environment variable holding the engine's API key; read by the llm worker, never sent through Temporal. */
    apiKeyEnv: z.string().optional(),
    /** One OpenAI-compatible engine per replica; at least one. */
    replicas: z.array(replicaSchema).min(1, 'a pool needs at least one replica (an endpoint)'),
    /** Per-call HTTP timeout. */
    timeoutMs: z.number().int().positive().default(600_000),
    /** Concurrent model calls per llm worker of this pool. */
    maxConcurrentCalls: z.number().int().positive().default(64),
    /** Price per million tokens, for cost estimates (USD). */
    pricing: z
      .object({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() })
      .strict()
      .optional(),
  })
  .strict();

export type PoolConfig = z.infer<typeof poolSchema>;
export type ReplicaConfig = z.infer<typeof replicaSchema>;

export const modelsSchema = z
  .object({
    pools: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'), poolSchema)
      .default({
        local: {
          model: 'sprint',
          engine: 'vllm',
          replicas: [{ name: 'r0', baseUrl: 'http://127.0.0.1:8000/v1' }],
          timeoutMs: 600_000,
          maxConcurrentCalls: 64,
        },
      }),
    /** Which pool serves each role. */
    roles: z
      .object({
        planner: z.string().default('local'),
        executor: z.string().default('local'),
        extractor: z.string().default('local'),
        dag: z.string().default('local'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
