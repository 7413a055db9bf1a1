/**
 * Cross-file checks of the deployment files that no schema can express, run by
 * scripts/validate-infra.sh after the schema validators:
 *   - every sprint config (compose, kustomize base and overlays, rendered ConfigMaps) passes the
 *     project's own zod schema;
 *   - engine StatefulSets and the config's replicas agree (count, names, URLs, pool);
 *   - compose llm workers, their engines and their health checks name real pools and replicas;
 *   - the search attributes registered by the cluster setup script are those of
 *     workflows/search-attributes.ts, and the compose and Kubernetes copies of the script agree;
 *   - the Temporal Helm values keep the namespace 30 days.
 *
 *   node --require tsx/cjs infra/validate/check-infra.ts ROOT RENDERED_DIR
 * Prints one line per problem and exits 1 when there is any.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ConfigError, parseConfig, type SprintConfig } from '../../config';
import { searchAttributeDefinitions } from '../../workflows/search-attributes';

type Doc = Record<string, unknown>;

/** The wrapper that runs an llm worker only while its engine is healthy. */
const LLM_SUPERVISOR = 'infra/docker/llm-worker.sh';

function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(v: unknown, ...keys: (string | number)[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (typeof k === 'number') cur = Array.isArray(cur) ? cur[k] : undefined;
    else cur = isObject(cur) ? cur[k] : undefined;
  }
  return cur;
}

function readYamlDocs(file: string, problems: string[]): Doc[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${file}: cannot read (${(err as Error).message})`);
    return [];
  }
  const docs = YAML.parseAllDocuments(text, { merge: true });
  const out: Doc[] = [];
  for (const d of docs) {
    if (d.errors.length) {
      problems.push(`${file}: invalid YAML: ${d.errors[0]!.message}`);
      continue;
    }
    const v: unknown = d.toJS({ maxAliasCount: -1 });
    if (isObject(v)) out.push(v);
  }
  return out;
}

/** Validates a sprint config with the project's schema; returns it or records the problems. */
function checkSprintConfig(data: unknown, where: string, problems: string[]): SprintConfig | undefined {
  try {
    return parseConfig(data, where);
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems.map((p) => `${where}: ${p}`));
    else problems.push(`${where}: ${(err as Error).message}`);
    return undefined;
  }
}

function asString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Engine StatefulSets of one rendered overlay against the sprint config of its ConfigMap. */
export function checkRenderedOverlay(file: string, problems: string[]): void {
  const docs = readYamlDocs(file, problems);
  const configMaps = docs.filter(
    (d) => d.kind === 'ConfigMap' && String(get(d, 'metadata', 'name')).startsWith('sprint-config'),
  );
  if (configMaps.length !== 1) {
    problems.push(`${file}: expected one sprint-config ConfigMap, found ${configMaps.length}`);
    return;
  }
  const text = get(configMaps[0], 'data', 'sprint.config.yaml');
  if (typeof text !== 'string') {
    problems.push(`${file}: ConfigMap sprint-config has no sprint.config.yaml`);
    return;
  }
  const config = checkSprintConfig(YAML.parse(text), `${file} (ConfigMap sprint-config)`, problems);
  if (!config) return;
  const engines = docs.filter(
    (d) =>
      d.kind === 'StatefulSet' && get(d, 'metadata', 'labels', 'app.kubernetes.io/component') === 'engine',
  );
  const servedPools = new Set<string>();
  for (const sts of engines) {
    const name = String(get(sts, 'metadata', 'name'));
    const where = `${file}: StatefulSet ${name}`;
    const pool = get(sts, 'metadata', 'labels', 'sprint.dev/pool');
    if (typeof pool !== 'string') {
      problems.push(`${where}: no sprint.dev/pool label`);
      continue;
    }
    servedPools.add(pool);
    const poolCfg = config.models.pools[pool];
    if (!poolCfg) {
      problems.push(`${where}: serves pool "${pool}", which the config does not define`);
      continue;
    }
    const replicas = Number(get(sts, 'spec', 'replicas') ?? 1);
    if (replicas !== poolCfg.replicas.length) {
      problems.push(
        `${where}: ${replicas} pod(s), but the config lists ${poolCfg.replicas.length} replica(s) of pool "${pool}"`,
      );
    }
    const service = String(get(sts, 'spec', 'serviceName'));
    poolCfg.replicas.forEach((r, i) => {
      if (r.name !== `${name}-${i}`) {
        problems.push(
          `${where}: config replica ${i} of pool "${pool}" is named "${r.name}", expected the pod name "${name}-${i}"`,
        );
      }
      if (
        hostOf(r.baseUrl) !== `${name}-${i}.${service}` &&
        !hostOf(r.baseUrl).startsWith(`${name}-${i}.${service}.`)
      ) {
        problems.push(
          `${where}: replica "${r.name}" has baseUrl ${r.baseUrl}, expected host ${name}-${i}.${service}`,
        );
      }
    });
    const containers = get(sts, 'spec', 'template', 'spec', 'containers');
    const worker = Array.isArray(containers)
      ? (containers as Doc[]).find((c) => c.name === 'llm-worker')
      : undefined;
    if (!worker) {
      problems.push(`${where}: no llm-worker container`);
      continue;
    }
    const env = Array.isArray(worker.env) ? (worker.env as Doc[]) : [];
    const poolEnv = env.find((e) => e.name === 'SPRINT_POOL')?.value;
    if (poolEnv !== pool)
      problems.push(`${where}: llm-worker SPRINT_POOL is ${String(poolEnv)}, expected "${pool}"`);
    if (!env.some((e) => e.name === 'POD_NAME'))
      problems.push(`${where}: llm-worker lacks POD_NAME (its replica name)`);
    const command = Array.isArray(worker.command) ? worker.command.map(String) : [];
    if (!command.includes(LLM_SUPERVISOR) || !env.some((e) => e.name === 'SPRINT_ENGINE_HEALTH_URL')) {
      problems.push(
        `${where}: llm-worker should run ${LLM_SUPERVISOR} with SPRINT_ENGINE_HEALTH_URL (stops polling when the engine dies)`,
      );
    }
    const keyEnv = poolCfg.apiKeyEnv;
    if (keyEnv && !env.some((e) => e.name === keyEnv)) {
      problems.push(
        `${where}: pool "${pool}" reads its key from $${keyEnv}, which the llm-worker container does not set`,
      );
    }
  }
  for (const [pool, p] of Object.entries(config.models.pools)) {
    // Plain-http replicas are engines inside the cluster; https ones are external APIs.
    const inCluster = p.replicas.some((r) => r.baseUrl.startsWith('http://'));
    if (!servedPools.has(pool) && inCluster) {
      problems.push(`${file}: pool "${pool}" has in-cluster replicas but no engine StatefulSet serves it`);
    }
  }
}

/** A compose service's worker arguments (`<role> [--pool P] [--replica R]`), if it runs a worker. */
function workerArgs(svc: unknown): string[] | undefined {
  const command = get(svc, 'command');
  const entrypoint = get(svc, 'entrypoint');
  if (!Array.isArray(command)) return undefined;
  const args = command.map(String);
  if (Array.isArray(entrypoint) && entrypoint.map(String).includes(LLM_SUPERVISOR)) return ['llm', ...args];
  return args[0] === 'worker' ? args.slice(1) : undefined;
}

/** The compose file against its sprint config. */
export function checkCompose(root: string, problems: string[]): void {
  const dir = path.join(root, 'infra', 'compose');
  const file = path.join(dir, 'compose.yaml');
  const [compose] = readYamlDocs(file, problems);
  const configFile = path.join(dir, 'sprint.config.yaml');
  const [raw] = readYamlDocs(configFile, problems);
  const config = checkSprintConfig(raw ?? {}, configFile, problems);
  if (!compose || !config) return;
  const services = isObject(compose.services) ? compose.services : {};
  for (const [name, svc] of Object.entries(services)) {
    const args = workerArgs(svc);
    if (!args) continue;
    const where = `${file}: service ${name}`;
    const role = args[0];
    const flag = (f: string) => {
      const i = args.indexOf(f);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const mounts = (get(svc, 'volumes') as unknown[] | undefined) ?? [];
    if (!mounts.some((m) => typeof m === 'string' && m.includes('sprint.config.yaml'))) {
      problems.push(`${where}: does not mount sprint.config.yaml`);
    }
    const health = get(svc, 'healthcheck', 'test');
    const healthArgs = Array.isArray(health) ? health.map(String) : [];
    const hi = healthArgs.indexOf('infra/docker/healthcheck.js');
    if (hi < 0 || healthArgs.slice(hi + 1).join(' ') !== args.join(' ')) {
      problems.push(`${where}: healthcheck should be node infra/docker/healthcheck.js ${args.join(' ')}`);
    }
    if (role !== 'llm') continue;
    const pool = flag('--pool');
    const replica = flag('--replica');
    const p = pool ? config.models.pools[pool] : undefined;
    if (!pool || !p) {
      problems.push(
        `${where}: llm worker for pool "${String(pool)}", which sprint.config.yaml does not define`,
      );
      continue;
    }
    const r = p.replicas.find((x) => x.name === replica);
    if (!replica || !r) {
      problems.push(
        `${where}: llm worker for replica "${String(replica)}", which pool "${pool}" does not list`,
      );
      continue;
    }
    const engine = hostOf(r.baseUrl);
    if (!(engine in services)) {
      problems.push(
        `${where}: replica "${replica}" points at ${r.baseUrl}, but there is no compose service "${engine}"`,
      );
    } else if (get(svc, 'depends_on', engine, 'condition') !== 'service_healthy') {
      problems.push(`${where}: should wait for its engine "${engine}" to be healthy (depends_on)`);
    }
    const entry = get(svc, 'entrypoint');
    if (!Array.isArray(entry) || !entry.map(String).includes(LLM_SUPERVISOR)) {
      problems.push(
        `${where}: llm workers should run under ${LLM_SUPERVISOR} (stops polling when the engine dies)`,
      );
    } else if (hostOf(asString(get(svc, 'environment', 'SPRINT_ENGINE_HEALTH_URL'))) !== engine) {
      problems.push(`${where}: SPRINT_ENGINE_HEALTH_URL should point at its engine "${engine}"`);
    }
    if (p.apiKeyEnv && get(svc, 'environment', p.apiKeyEnv) === undefined) {
      problems.push(
        `${where}: pool "${pool}" reads its key from $${p.apiKeyEnv}, which the service does not set`,
      );
    }
  }
  const llmServed = new Set(
    Object.values(services)
      .map((s) => workerArgs(s))
      .filter((a): a is string[] => !!a && a[0] === 'llm')
      .map((a) => `${a[a.indexOf('--pool') + 1]}/${a[a.indexOf('--replica') + 1]}`),
  );
  for (const [pool, p] of Object.entries(config.models.pools)) {
    for (const r of p.replicas) {
      if (!llmServed.has(`${pool}/${r.name}`))
        problems.push(`${file}: no llm worker serves replica "${r.name}" of pool "${pool}"`);
    }
  }
}

/** The search attributes the setup script registers, as `Name=Type` entries. */
export function scriptSearchAttributes(script: string): string[] | undefined {
  const m = /^SPRINT_SEARCH_ATTRIBUTES="([^"]*)"/m.exec(script);
  return m ? m[1]!.split(/\s+/).filter(Boolean) : undefined;
}

export function checkTemporalSetup(root: string, problems: string[]): void {
  const canonical = path.join(root, 'infra', 'temporal', 'cluster-setup.sh');
  const copy = path.join(root, 'infra', 'k8s', 'base', 'temporal-setup', 'cluster-setup.sh');
  const a = fs.existsSync(canonical) ? fs.readFileSync(canonical, 'utf8') : '';
  const b = fs.existsSync(copy) ? fs.readFileSync(copy, 'utf8') : '';
  if (!a) problems.push(`${canonical}: missing`);
  if (a !== b) problems.push(`${copy}: differs from ${canonical} (copy it: cp ${canonical} ${copy})`);
  const listed = scriptSearchAttributes(a);
  if (!listed) {
    problems.push(`${canonical}: no SPRINT_SEARCH_ATTRIBUTES="..." line`);
    return;
  }
  const expected = searchAttributeDefinitions.map((d) => `${d.name}=${d.type}`);
  const missing = expected.filter((e) => !listed.includes(e));
  const extra = listed.filter((e) => !expected.includes(e));
  if (missing.length)
    problems.push(
      `${canonical}: does not register ${missing.join(', ')} (see workflows/search-attributes.ts)`,
    );
  if (extra.length)
    problems.push(`${canonical}: registers ${extra.join(', ')}, unknown to workflows/search-attributes.ts`);
}

export function checkHelmValues(root: string, problems: string[]): void {
  const file = path.join(root, 'infra', 'k8s', 'temporal', 'values.yaml');
  const [values] = readYamlDocs(file, problems);
  if (!values) {
    problems.push(`${file}: empty`);
    return;
  }
  const stores = get(values, 'server', 'config', 'persistence', 'datastores');
  for (const store of ['default', 'visibility']) {
    const plugin = get(stores, store, 'sql', 'pluginName');
    if (plugin !== 'postgres12')
      problems.push(
        `${file}: datastores.${store}.sql.pluginName should be postgres12 (got ${String(plugin)})`,
      );
  }
  const namespaces = get(values, 'server', 'config', 'namespaces', 'namespace');
  const ns = Array.isArray(namespaces) ? (namespaces as Doc[]).find((n) => n.name === 'default') : undefined;
  const retention = typeof ns?.retention === 'string' ? /^(\d+)d$/.exec(ns.retention) : null;
  if (!retention || Number(retention[1]) < 30) {
    problems.push(`${file}: namespace "default" should be created with retention of at least 30d`);
  }
}

export function checkInfra(root: string, renderedDir: string): string[] {
  const problems: string[] = [];
  for (const f of [
    path.join(root, 'infra', 'k8s', 'base', 'sprint.config.yaml'),
    ...fs
      .readdirSync(path.join(root, 'infra', 'k8s', 'overlays'))
      .map((o) => path.join(root, 'infra', 'k8s', 'overlays', o, 'sprint.config.yaml'))
      .filter((f) => fs.existsSync(f)),
  ]) {
    const [raw] = readYamlDocs(f, problems);
    checkSprintConfig(raw ?? {}, f, problems);
  }
  for (const f of fs.readdirSync(renderedDir).filter((n) => n.endsWith('.yaml'))) {
    checkRenderedOverlay(path.join(renderedDir, f), problems);
  }
  checkCompose(root, problems);
  checkTemporalSetup(root, problems);
  checkHelmValues(root, problems);
  return problems;
}

if (require.main === module) {
  const [root, rendered] = process.argv.slice(2);
  if (!root || !rendered) {
    console.error('usage: check-infra.ts ROOT RENDERED_DIR');
    process.exit(2);
  }
  const problems = checkInfra(path.resolve(root), path.resolve(rendered));
  for (const p of problems) console.error(`  - ${p}`);
  if (problems.length) {
    console.error(`consistency: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log('consistency: configs, engines, queues and search attributes agree');
}
