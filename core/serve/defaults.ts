/*
 * The defaults of the `serve` config section, as plain values: the schema (config/schema/serve.ts)
 * applies them and `sprint serve --help` names them without loading zod.
 */
export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  /** vLLM and SGLang take 8000. */
  port: 8080,
  apiKeysEnv: 'SPRINT_API_KEYS',
  onDisconnect: 'cancel',
  maxConcurrent: 64,
  retryAfterSeconds: 5,
  bodyLimitBytes: 1024 * 1024,
  /** Time a client has to send its whole request (headers and body); the answer is not bounded. */
  requestTimeoutMs: 30_000,
  pollMs: 250,
  keepAliveMs: 15_000,
  /** What one API key may use: sessions at once, and new requests a minute with a burst. */
  perKey: { maxConcurrent: 16, perMinute: 120, burst: 30 },
  /** Origins whose browsers may call the codec endpoint: the embedded Web UI's. */
  codec: { corsOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233'] },
} as const;

export const DISCONNECT_POLICIES = ['cancel', 'continue'] as const;
export type DisconnectPolicy = (typeof DISCONNECT_POLICIES)[number];
