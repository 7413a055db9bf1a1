import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveQueuePrefix } from './deployment';
import { configSchema, type SprintConfig } from './schema';
import { formatIssue } from './schema/issues';
import { ConfigError } from './errors';

export { ConfigError } from './errors';

export interface LoadConfigOptions {
  /** Explicit file (YAML or JSON). Otherwise $SPRINT_CONFIG, then ./sprint.config.yaml if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values merged over the file (CLI flags). */
  overrides?: Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge for plain objects; arrays and scalars from `over` replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** Environment variables that override file settings (Temporal's own names where they exist). */
function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const temporal: Record<string, unknown> = {};
  if (env.TEMPORAL_ADDRESS) temporal.address = env.TEMPORAL_ADDRESS;
  if (env.TEMPORAL_NAMESPACE) temporal.namespace = env.TEMPORAL_NAMESPACE;
  const tls: Record<string, unknown> = {};
  if (env.TEMPORAL_TLS_CLIENT_CERT_PATH) tls.clientCertPath = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  if (env.TEMPORAL_TLS_CLIENT_KEY_PATH) tls.clientKeyPath = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  if (env.TEMPORAL_TLS_SERVER_CA_CERT_PATH) tls.serverRootCaCertPath = env.TEMPORAL_TLS_SERVER_CA_CERT_PATH;
  if (env.TEMPORAL_TLS_SERVER_NAME) tls.serverName = env.TEMPORAL_TLS_SERVER_NAME;
  if (Object.keys(tls).length) temporal.tls = tls;
  const out: Record<string, unknown> = {};
  if (Object.keys(temporal).length) out.temporal = temporal;
  if (env.SPRINT_ARTIFACTS_ROOT) out.artifacts = { root: env.SPRINT_ARTIFACTS_ROOT };
  return out;
}

type YamlModule = typeof import('yaml');

/*
 * The YAML parser is loaded only for a YAML file: a JSON config or none (the defaults) skips it,
 * about 60 ms of every CLI start and worker start on the 2-core dev machine (bench/cli-startup.ts).
 * require(), not import(): tsc compiles to CommonJS and tsx/jest run the .ts sources through require.
 */
function yamlParser(): YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as YamlModule;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  try {
    const data: unknown = file.endsWith('.json')
      ? JSON.parse(text)
      : yamlParser().parse(text, { prettyErrors: true });
    return data ?? {};
  } catch (err) {
    throw new ConfigError(file, [
      `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    ]);
  }
}

/** Checks that need the whole config: references between sections. */
function crossCheck(config: SprintConfig): string[] {
  const problems: string[] = [];
  const pools = Object.keys(config.models.pools);
  for (const [role, pool] of Object.entries(config.models.roles)) {
    if (!config.models.pools[pool]) {
      problems.push(
        `models.roles.${role}: names pool "${pool}", but no such pool is configured (have: ${pools.join(', ') || 'none'})`,
      );
    }
  }
  for (const [pool, p] of Object.entries(config.models.pools)) {
    const seen = new Set<string>();
    p.replicas.forEach((r, i) => {
      if (seen.has(r.name))
        problems.push(`models.pools.${pool}.replicas.${i}.name: duplicate replica name "${r.name}"`);
      seen.add(r.name);
    });
  }
  for (const pool of Object.keys(config.priority.engines)) {
    const engine = config.models.pools[pool]?.engine;
    if (!engine || engine === 'openai')
      problems.push(
        `priority.engines.${pool}: ${engine ? 'a hosted OpenAI pool takes no priority field' : `no pool "${pool}" is configured (have: ${pools.join(', ') || 'none'})`}`,
      );
  }
  return problems;
}

function validate(data: unknown, source: string): SprintConfig {
  // jitless: zod compiles a fast parser per object schema on its first parse, which only pays off
  // for schemas parsed many times; a process parses its config once or twice, and without the
  // compilation that parse takes 8 ms instead of 35 ms (same result and issues, zod's documented
  // ParseContext option).
  const result = configSchema.safeParse(data ?? {}, { reportInput: true, jitless: true });
  if (!result.success) throw new ConfigError(source, result.error.issues.map(formatIssue));
  const problems = crossCheck(result.data);
  if (problems.length) throw new ConfigError(source, problems);
  return result.data;
}

/**
 * Validates raw data (already merged) against the schema; throws ConfigError with every bad field.
 * The result names its task queue prefix (`temporal.taskQueuePrefix`, derived when unset).
 */
export function parseConfig(data: unknown, source = 'inline'): SprintConfig {
  const config = validate(data, source);
  config.temporal.taskQueuePrefix = resolveQueuePrefix(config);
  return config;
}

function absolutize(config: SprintConfig, cwd: string): SprintConfig {
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.resolve(cwd, p));
  config.artifacts.root = abs(config.artifacts.root);
  config.hub.localMirror = abs(config.hub.localMirror);
  config.temporal.embedded.dbFile = abs(config.temporal.embedded.dbFile);
  if (config.temporal.embedded.cliPath)
    config.temporal.embedded.cliPath = abs(config.temporal.embedded.cliPath);
  return config;
}

/** Loads file + environment + overrides into one validated config with absolute paths. */
export function loadConfig(options: LoadConfigOptions = {}): SprintConfig & { source: string } {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let file = options.file ?? env.SPRINT_CONFIG;
  if (!file && fs.existsSync(path.join(cwd, 'sprint.config.yaml'))) file = 'sprint.config.yaml';
  const fromFile = file ? readConfigFile(path.resolve(cwd, file)) : {};
  if (!isPlainObject(fromFile)) {
    throw new ConfigError(file ?? 'inline', [
      '(top level): expected a mapping of sections (temporal, models, ...)',
    ]);
  }
  const deployment = deepMerge(fromFile, envOverrides(env));
  const source = file ?? 'defaults';
  const config = absolutize(validate(deepMerge(deployment, options.overrides ?? {}), source), cwd);
  // The queue prefix comes from the file and environment only: flags of one command (ad-hoc pools,
  // a session strategy) must not move that command onto queues no worker of its deployment polls.
  const base = options.overrides ? absolutize(validate(deployment, source), cwd) : config;
  config.temporal.taskQueuePrefix = resolveQueuePrefix(base);
  return Object.assign(config, { source });
}
