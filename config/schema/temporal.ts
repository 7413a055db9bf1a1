import { z } from 'zod';

/** Connection settings follow Temporal's own environment variables (TEMPORAL_ADDRESS, ...). */
export const temporalSchema = z
  .object({
    /** host:port of the frontend. When it differs from the embedded server's address, `sprint dev` starts no server. */
    address: z.string().min(1).default('localhost:7233'),
    namespace: z.string().min(1).default('default'),
    /**
     * Prepended to every task queue name of this deployment, so stacks sharing a server never take
     * each other's tasks. Unset: derived from the config fingerprint and the checkout path
     * (config/deployment.ts); "" = the plain names. Stacks that name the same prefix share queues.
     */
    taskQueuePrefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
      .max(64)
      .optional(),
    /**
     * Worker Versioning (Temporal worker deployments): the control worker registers as version
     * <deploymentName>/<buildId>, so a running workflow's next task never reaches code it was not
     * built for unless its versioning behaviour allows it (workflows/versioning.ts).
     */
    versioning: z
      .object({
        enabled: z.boolean().default(true),
        /** Default `sprint-<queue prefix>` ("sprint" with no prefix): one deployment per stack. */
        deploymentName: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only')
          .optional(),
        /** Default: 12 hex digits of the workflow bundle's sha256, so identical code is one version. */
        buildId: z
          .string()
          .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
          .optional(),
        /**
         * Make a starting worker's version the deployment's current one (new workflows start on it).
         * Off for ramped rollouts driven by `temporal worker deployment set-ramping-version`.
         */
        promote: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** TLS for a cluster or Temporal Cloud; paths, never the key material itself. */
    tls: z
      .object({
        serverName: z.string().optional(),
        serverRootCaCertPath: z.string().optional(),
        clientCertPath: z.string().optional(),
        clientKeyPath: z.string().optional(),
      })
      .strict()
      .optional(),
    /**
     * Payload encryption (AES-256-GCM) of everything sprint writes into history: questions, plans,
     * replies. On when the named environment variable holds keys (`id=base64key[,...]`, the first
     * encrypts, all decrypt); every client and worker of a deployment needs the same variable.
     */
    encryption: z
      .object({
        keysEnv: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
          .default('SPRINT_ENCRYPTION_KEYS'),
      })
      .strict()
      .prefault({}),
    /** Name of the environment variable that holds a Temporal Cloud API key (the key stays out of config). */
    apiKeyEnv: z.string().default('TEMPORAL_API_KEY'),
    embedded: z
      .object({
        /** Start `temporal server start-dev` when nothing listens on `address`. */
        enabled: z.boolean().default(true),
        ip: z.string().default('127.0.0.1'),
        port: z.number().int().min(1).max(65535).default(7233),
        uiPort: z.number().int().min(1).max(65535).default(8233),
        /** SQLite file; the workflow state survives server restarts. */
        dbFile: z.string().default('.sprint/temporal.db'),
        /** Keep closed workflows this long so the Web UI stays an audit trail. */
        retentionDays: z.number().int().min(1).default(30),
        /** Path to the temporal CLI; by default the copy installed in .tools/bin. */
        cliPath: z.string().optional(),
        logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
        /**
         * The codec endpoint the embedded Web UI decodes encrypted payloads through, e.g.
         * `http://127.0.0.1:8000/codec` (`sprint serve` answers there when encryption keys are set).
         */
        uiCodecEndpoint: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();
