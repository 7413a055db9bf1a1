import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { SprintConfig } from './schema';

/*
 * Which deployment a process belongs to.
 *
 * Every worker of every stack on one Temporal server polls by queue name, so two stacks whose
 * queues are named alike steal each other's tasks (a demo's training activities landing on
 * another clone's workers, with another config and no Python). A deployment's queues therefore
 * carry a prefix (`temporal.taskQueuePrefix`). When it is not set, the prefix is derived from:
 *
 * - the config fingerprint: a hash of the settings that decide what a worker does with a task
 *   (queue base names, model pools and roles, artifact store, Hub, training, curation and
 *   evaluation). Not hashed: `session` (it travels in each workflow's input and one command may
 *   override it), `workers` (concurrency tuning) and `temporal` (how to reach the server, which
 *   does not change what a worker does);
 * - the checkout: the absolute path of this code. Two clones with the same config still have
 *   different artifact folders, Python environments and possibly different code.
 *
 * So two clones, or two configs, never share queues unless a config names the same prefix.
 * Clusters set the prefix explicitly (often to ""), so a config change in a rolling upgrade does
 * not move the queues away from running work.
 */

/**
 * Root of the checkout this code runs from: config/ sits at its top level in the sources and under
 * dist/ once compiled. Both must give the same root, or a CLI run from dist/ and a worker run from
 * the sources (tsx, tests) would derive different queue prefixes and never meet.
 */
const aboveConfig = path.resolve(__dirname, '..');
export const checkoutRoot = path.basename(aboveConfig) === 'dist' ? path.dirname(aboveConfig) : aboveConfig;

/** JSON with object keys sorted, so equal settings hash equally whatever order a file wrote them in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The settings a worker's behaviour depends on (see the comment at the top). */
export function deploymentSettings(config: SprintConfig): Record<string, unknown> {
  return {
    taskQueues: config.taskQueues,
    models: config.models,
    artifacts: config.artifacts,
    hub: config.hub,
    training: config.training,
    curation: config.curation,
    evaluation: config.evaluation,
  };
}

/** 12 hex digits naming the config's deployment-relevant settings; workers carry it in their identity. */
export function configFingerprint(config: SprintConfig): string {
  return sha256Hex(canonicalJson(deploymentSettings(config))).slice(0, 12);
}

/** The default queue prefix: 8 hex digits of the fingerprint and checkout, then a dot (`3fa9c2e1.sprint-control`). */
export function derivedQueuePrefix(config: SprintConfig, checkout: string = checkoutRoot): string {
  return `${sha256Hex(`${configFingerprint(config)}\n${checkout}`).slice(0, 8)}.`;
}

/** The queue prefix in force: the configured one (even "", which means plain names), else the derived one. */
export function resolveQueuePrefix(config: SprintConfig, checkout: string = checkoutRoot): string {
  return config.temporal.taskQueuePrefix ?? derivedQueuePrefix(config, checkout);
}

const identityPattern = /^sprint:([0-9a-f]{12})\//;

/**
 * Worker identity `sprint:<fingerprint>/<pid>@<host>`: the SDK's default `pid@host` at the end
 * (container health checks match on it), the config fingerprint in front so `sprint status` can
 * tell pollers of another config apart.
 */
export function workerIdentity(fingerprint: string, pid: number, host: string): string {
  return `sprint:${fingerprint}/${pid}@${host}`;
}

/** The fingerprint a worker identity carries, or undefined for a worker that is not sprint's (or predates it). */
export function fingerprintOfIdentity(identity: string): string | undefined {
  return identityPattern.exec(identity)?.[1];
}
