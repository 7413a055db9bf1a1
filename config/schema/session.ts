import { z } from 'zod';
import {
  DEFAULT_PROMPT_PREFIX_TEMPLATE,
  DEFAULT_SYSTEM_PROMPT,
  executorStrategies,
} from '../../core/format/prompts';
import {
  DEFAULT_SESSION_PROFILE,
  profileChoices,
  sessionProfiles,
  type LoopChoices,
  type SessionProfile,
} from '../../core/session/policies';

export { DEFAULT_SYSTEM_PROMPT };

/**
 * Named sets of loop behaviour (docs/sprint-format.md#loop-profiles), one per loop policy (core/session/policies):
 * `released` serves a released SPRINT checkpoint as it was trained.
 */
export { sessionProfiles, type SessionProfile };

const profileName = z.enum(sessionProfiles, {
  error: (issue) => `unknown profile ${JSON.stringify(issue.input)}: known are ${sessionProfiles.join(', ')}`,
});

/**
 * Settings of SPRINT inference sessions (workflows/session/) and of the sequential baseline.
 * The fields marked "profile" have no default of their own: unset, they take the value the
 * profile's loop policy gives them (`profileChoices`, core/session/policies), so
 * `{ profile: 'platform' }` given on top of a config that never named them switches all of them
 * together. The CLI passes these in the workflow input;
 * the workflow resolves them with `resolveSessionSettings`, so partial settings work.
 */
export const sessionSchema = z
  .object({
    /** `released` (default): the released SPRINT loop (docs/sprint-format.md#released-inference-loop); `platform`: this project's own loop. */
    profile: profileName.default(DEFAULT_SESSION_PROFILE),
    /** Profile. Executor prompts: `reorder` (released code) or `shared-prefix` (same full plan for all executors; prefix-cache friendly). */
    executorStrategy: z.enum(executorStrategies).optional(),
    /** Phases at most; the last one is forced to answer by appending `<Final_answer>\n`. */
    maxPhases: z.number().int().min(1).max(64).default(12),
    /** Generated tokens per plan or execution call. */
    maxTokensPerCall: z.number().int().positive().default(8000),
    temperature: z.number().min(0).max(2).default(0.6),
    topP: z.number().gt(0).max(1).optional(),
    /** Base seed for reproducible sampling (each call derives its own); unset: engine randomness. */
    seed: z.number().int().nonnegative().optional(),
    /**
     * Fan-out cap: prompts beyond it keep their text but get no executor (recorded as a problem), so
     * a plan of thousands of prompts cannot flood the pool. Far above what trained planners write.
     */
    maxPromptsPerRound: z.number().int().positive().default(32),
    /**
     * What one session may spend in all (every call and its generated tokens, discarded tries
     * included). When spent, the next round is the forced final answer, recorded as a problem. The
     * defaults sit above the largest session the other defaults allow without resampling (12
     * phases x 33 calls x 8000 tokens), so only runaway sessions meet them; lower them per deployment.
     */
    budget: z
      .object({
        maxCalls: z.number().int().positive().default(1000),
        maxTokens: z.number().int().positive().default(4_000_000),
      })
      .strict()
      .prefault({}),
    /** Executors of one session running at once (released code: 5); the others wait their turn, none is dropped. */
    maxConcurrentExecutors: z.number().int().positive().default(5),
    /** Profile. Stop both roles at the released five strings (else planner `</Plan_`, `</Final_answer>`; executors `</execution_`). */
    releasedStops: z.boolean().optional(),
    /**
     * Profile. How replies are read: `released` (planner tags rewrapped, a reply without tags
     * retried, on the last try `\boxed` makes it the answer; executor tags stripped) or `platform`
     * (core/format's repairing parser, never retried).
     */
    replyHandling: profileName.optional(),
    /** Profile. End the session on a plan holding `**Final Answer` and `\boxed` (released loop). */
    finalAnswerEarlyStop: z.boolean().optional(),
    /** Resample over-long plans/executions (released code: plans > 1000, executions > 2000 tokens, 3 tries). */
    resample: z
      .object({
        /** Profile. */
        enabled: z.boolean().optional(),
        /** Profile. Final answers (and the forced last phase) are resampled too, as the released loop does. */
        includeFinal: z.boolean().optional(),
        planMaxTokens: z.number().int().positive().default(1000),
        executionMaxTokens: z.number().int().positive().default(2000),
        maxTries: z.number().int().min(1).default(3),
      })
      .strict()
      .prefault({}),
    /** Start each executor as soon as its `</prompt_p.k>` closes in the streamed plan. */
    streamingDispatch: z.boolean().default(false),
    /** Prompt prefix: `{system}` and `{question}` are filled in; `<think>\n` follows. Put the model's chat template here. */
    promptTemplate: z.string().default(DEFAULT_PROMPT_PREFIX_TEMPLATE),
    /** System instructions for planner and executors; default this project's own (DEFAULT_SYSTEM_PROMPT). */
    systemPrompt: z.string().optional(),
    /**
     * A file holding the system instructions (UTF-8, used as is), read when the session input is
     * built (config/session-input.ts); for a released checkpoint, the released repository's
     * `src/prompts/global_agent_prompt.txt`. A relative path is taken from the working directory.
     */
    systemPromptFile: z.string().min(1).optional(),
    /**
     * A model's `tokenizer_config.json` (or its folder): `promptTemplate` becomes the user turn of
     * the model's own chat template, rendered when the session input is built. Unset (the released
     * loop): raw text, no chat template.
     */
    chatTemplateFile: z.string().min(1).optional(),
    /** Rounds per workflow run before continue-as-new (the transcript so far goes to the artifact store). */
    continueAsNewAfterRounds: z.number().int().min(1).default(8),
    /** Sticky routing: how long a call waits for its replica's worker before moving to the shared queue. */
    stickyScheduleToStartMs: z.number().int().positive().default(15_000),
    /**
     * The longest a model call waits on its pool's shared queue for a worker to take it: past it the
     * session fails, naming the queue and the config fingerprint whose workers would serve it, instead
     * of waiting for ever on a queue nobody polls. Raise it for pools that are backed up on purpose.
     */
    pickupTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30 * 60_000),
    /**
     * A model call that waited this long for a worker (and was then taken) leaves a line in the
     * session's problems, so a slow session says why. The same 30 s `sprint status` calls a stall.
     */
    slowPickupMs: z.number().int().positive().default(30_000),
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
  .strict()
  .refine((s) => s.systemPrompt === undefined || s.systemPromptFile === undefined, {
    message: 'give systemPrompt or systemPromptFile, not both',
    path: ['systemPromptFile'],
  });

/** The session section as configured: the profile fields may still be unset. */
export type SessionConfig = z.infer<typeof sessionSchema>;
export type SessionSettingsInput = z.input<typeof sessionSchema>;

/** Session settings with every profile field decided: what the workflows run with. */
export interface SessionSettings
  extends Omit<SessionConfig, keyof LoopChoices | 'systemPrompt'>, Omit<LoopChoices, 'resample'> {
  resample: Required<SessionConfig['resample']>;
  systemPrompt: string;
}

/**
 * Parses (possibly partial) session settings and fills the profile fields from the profile. A
 * `systemPromptFile` that nobody read is an error: workflows cannot read files, and silently
 * using another prompt would serve a checkpoint with text it was not trained on.
 */
export function resolveSessionSettings(input: SessionSettingsInput | undefined): SessionSettings {
  const s = sessionSchema.parse(input ?? {});
  const d = profileChoices(s.profile);
  for (const [field, value] of [
    ['systemPromptFile', s.systemPromptFile],
    ['chatTemplateFile', s.chatTemplateFile],
  ] as const)
    if (value !== undefined)
      throw new Error(
        `session.${field} (${value}) was not read: build the input with sessionRunInput (config/session-input.ts)`,
      );
  return {
    ...s,
    executorStrategy: s.executorStrategy ?? d.executorStrategy,
    releasedStops: s.releasedStops ?? d.releasedStops,
    replyHandling: s.replyHandling ?? d.replyHandling,
    finalAnswerEarlyStop: s.finalAnswerEarlyStop ?? d.finalAnswerEarlyStop,
    resample: {
      ...s.resample,
      enabled: s.resample.enabled ?? d.resample.enabled,
      includeFinal: s.resample.includeFinal ?? d.resample.includeFinal,
    },
    systemPrompt: s.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
  };
}
