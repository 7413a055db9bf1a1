import { z } from 'zod';
import { DISCONNECT_POLICIES, SERVE_DEFAULTS as D } from '../../core/serve/defaults';

const positiveInt = z.number().int().min(1);

/**
 * `sprint serve`, the OpenAI-compatible endpoint. Its flags override these (flag > file > default).
 * The API keys themselves never live here: only where to find them (an environment variable's name,
 * a key file's path).
 */
export const serveSchema = z
  .object({
    host: z.string().min(1).default(D.host),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65535).default(D.port),
    /** The environment variable holding the bearer keys, comma-separated. */
    apiKeysEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, "_")')
      .default(D.apiKeysEnv),
    /** A file of bearer keys, one a line (`#` comments); read at start, in addition to apiKeysEnv. */
    apiKeysFile: z.string().min(1).optional(),
    /** Accept requests without a key when none is configured (local use only). */
    insecureNoAuth: z.boolean().default(false),
    /** What happens to the workflow of a client that went away before its answer. */
    onDisconnect: z.enum(DISCONNECT_POLICIES).default(D.onDisconnect),
    /** Sessions followed at once; more get 429. */
    maxConcurrent: positiveInt.default(D.maxConcurrent),
    /** Retry-After seconds sent with a 429. */
    retryAfterSeconds: positiveInt.default(D.retryAfterSeconds),
    /** Largest request body (413 beyond). */
    bodyLimitBytes: positiveInt.default(D.bodyLimitBytes),
    /** Time a client has to send its whole request; a streamed answer may take longer. */
    requestTimeoutMs: positiveInt.default(D.requestTimeoutMs),
    /** Progress query interval while streaming a SPRINT session. */
    pollMs: positiveInt.default(D.pollMs),
    /** A comment line goes to a stream silent this long, so proxies keep it open. */
    keepAliveMs: positiveInt.default(D.keepAliveMs),
    /**
     * The largest `max_tokens` a request may ask (400 above). Unset: the configured budgets
     * (session.maxTokensPerCall, session.sequentialMaxTokens), which a request never raises.
     */
    maxTokensCeiling: positiveInt.optional(),
    /** What one API key may use of the server, so one key's burst cannot starve the others. */
    perKey: z
      .object({
        /** Sessions of one key running at once (held until each workflow closes); more get 429. */
        maxConcurrent: positiveInt.default(D.perKey.maxConcurrent),
        /** New requests a minute a key may send on average (a token bucket); more get 429. */
        perMinute: positiveInt.default(D.perKey.perMinute),
        /** Requests a key may send at once before the rate applies. */
        burst: positiveInt.default(D.perKey.burst),
      })
      .strict()
      .prefault({}),
    /** The codec endpoint (/codec, with payload encryption on): browser origins allowed to call it. */
    codec: z
      .object({
        corsOrigins: z.array(z.url({ protocol: /^https?$/ })).default([...D.codec.corsOrigins]),
      })
      .strict()
      .prefault({}),
    /** Also run every worker (control, llm, ...) in the serve process. */
    workers: z.boolean().default(false),
  })
  .strict();

export type ServeSettings = z.infer<typeof serveSchema>;
