import type { Command } from 'commander';
import { DISCONNECT_POLICIES, SERVE_DEFAULTS as D } from '../../core/serve/defaults';
import { CliError, ExitCode } from '../exit-codes';
import { lazyAction } from '../lazy';
import { metricsPortHelp } from '../metrics-port-flag';

/** The flags of `sprint serve`, as commander gives them: strings, undefined when not given. */
export interface ServeFlags {
  host?: string;
  port?: string;
  apiKeysFile?: string;
  insecureNoAuth?: boolean;
  maxConcurrent?: string;
  retryAfter?: string;
  onDisconnect?: string;
  bodyLimit?: string;
  requestTimeout?: string;
  workers?: boolean;
  metricsPort?: string;
}

/*
 * Every flag sets one field of the config's `serve` section, and only when given: flag > config
 * file > default. No flag has a commander default, or it would always win over the file.
 */
const from = (setting: string, fallback: string | number) => `(config serve.${setting}; default ${fallback})`;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'OpenAI-compatible endpoint: every request is one durable session workflow (each flag overrides its setting in the config serve section)',
    )
    .option('--host <host>', `address to listen on ${from('host', D.host)}`)
    .option('--port <port>', `port to listen on, 0 for any free one ${from('port', D.port)}`)
    .option(
      '--api-keys-file <file>',
      `bearer keys, one a line, besides those in $${D.apiKeysEnv} (comma-separated; the variable's name is config serve.apiKeysEnv) ${from('apiKeysFile', 'none')}`,
    )
    .option(
      '--insecure-no-auth',
      `accept requests without an API key, local use only ${from('insecureNoAuth', 'off')}`,
    )
    .option(
      '--max-concurrent <n>',
      `sessions followed at once; more get 429 ${from('maxConcurrent', D.maxConcurrent)}`,
    )
    .option(
      '--retry-after <s>',
      `Retry-After seconds sent with 429 ${from('retryAfterSeconds', D.retryAfterSeconds)}`,
    )
    .option(
      '--on-disconnect <policy>',
      `${DISCONNECT_POLICIES.join(' | ')}: the workflow of a client that went away ${from('onDisconnect', D.onDisconnect)}`,
    )
    .option('--body-limit <bytes>', `largest request body ${from('bodyLimitBytes', D.bodyLimitBytes)}`)
    .option(
      '--request-timeout <ms>',
      `time a client has to send its request ${from('requestTimeoutMs', D.requestTimeoutMs)}`,
    )
    .option('--workers', `also run all workers (control, llm, ...) in this process ${from('workers', 'off')}`)
    .option('--metrics-port <port>', metricsPortHelp('serve', '9465'))
    .action(lazyAction('serve', 'runServe'));
}

function integer(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer ${min}-${max}`;
    throw new CliError(`${flag} must be ${range}, got "${value}"`, ExitCode.usage);
  }
  return n;
}

/** The `serve` settings the given flags set, checked and named by flag; merged over the config. */
export function serveFlagOverrides(flags: ServeFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.host !== undefined) out.host = flags.host;
  if (flags.port !== undefined) out.port = integer('--port', flags.port, 0, 65535);
  if (flags.apiKeysFile !== undefined) out.apiKeysFile = flags.apiKeysFile;
  if (flags.insecureNoAuth) out.insecureNoAuth = true;
  if (flags.maxConcurrent !== undefined)
    out.maxConcurrent = integer('--max-concurrent', flags.maxConcurrent, 1);
  if (flags.retryAfter !== undefined) out.retryAfterSeconds = integer('--retry-after', flags.retryAfter, 1);
  if (flags.onDisconnect !== undefined) {
    if (!(DISCONNECT_POLICIES as readonly string[]).includes(flags.onDisconnect))
      throw new CliError(
        `--on-disconnect must be ${DISCONNECT_POLICIES.join(' or ')}, got "${flags.onDisconnect}"`,
        ExitCode.usage,
      );
    out.onDisconnect = flags.onDisconnect;
  }
  if (flags.bodyLimit !== undefined) out.bodyLimitBytes = integer('--body-limit', flags.bodyLimit, 1);
  if (flags.requestTimeout !== undefined)
    out.requestTimeoutMs = integer('--request-timeout', flags.requestTimeout, 1);
  if (flags.workers) out.workers = true;
  return out;
}
