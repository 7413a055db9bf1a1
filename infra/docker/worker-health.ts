/**
 * Worker health check for containers: is a worker of THIS host (container or pod) polling every
 * queue its role serves? Asks Temporal (DescribeTaskQueue) for the queue's recent pollers and looks
 * for this host's identity (the SDK's default `pid@hostname`). Exit 0 healthy, 1 not, 2 usage.
 *
 *   node infra/docker/healthcheck.js <control|llm|curation|training|all> [--pool P] [--replica R]
 */
import * as os from 'node:os';
import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import {
  controlQueue,
  curationQueue,
  trainingQueue,
  loadConfig,
  poolQueue,
  replicaQueue,
  type SprintConfig,
} from '../../config';
import { connectClient } from '../../workers/connection';

type QueueKind = 'workflow' | 'activity';
export interface ExpectedQueue {
  name: string;
  kind: QueueKind;
}

/** The queues a worker of `role` polls (mirrors workers/create.ts). */
export function expectedQueues(
  config: SprintConfig,
  role: string,
  pool?: string,
  replica?: string,
): ExpectedQueue[] {
  const out: ExpectedQueue[] = [];
  const control = () => out.push({ name: controlQueue(config), kind: 'workflow' });
  const curation = () => out.push({ name: curationQueue(config), kind: 'activity' });
  const training = () => out.push({ name: trainingQueue(config), kind: 'activity' });
  const llm = () => {
    const pools = pool ? [pool] : Object.keys(config.models.pools);
    for (const p of pools) {
      const cfg = config.models.pools[p];
      if (!cfg) throw new Error(`unknown pool "${p}" (have: ${Object.keys(config.models.pools).join(', ')})`);
      const replicas = cfg.replicas.filter((r) => !replica || r.name === replica);
      if (replica && replicas.length === 0) throw new Error(`pool "${p}" has no replica "${replica}"`);
      for (const r of replicas) out.push({ name: replicaQueue(config, p, r.name), kind: 'activity' });
      out.push({ name: poolQueue(config, p), kind: 'activity' });
    }
  };
  switch (role) {
    case 'control':
      control();
      break;
    case 'curation':
      curation();
      break;
    case 'training':
      training();
      break;
    case 'llm':
      llm();
      break;
    case 'all':
      control();
      curation();
      training();
      llm();
      break;
    default:
      throw new Error(`unknown worker role "${role}" (one of: control, llm, curation, training, all)`);
  }
  return [...new Map(out.map((q) => [`${q.kind}:${q.name}`, q])).values()];
}

/** Queues on which no poller of `host` was seen within `maxAgeMs`. */
export async function missingPollers(
  client: Client,
  namespace: string,
  queues: ExpectedQueue[],
  host: string,
  maxAgeMs: number,
  now = Date.now(),
): Promise<string[]> {
  const missing: string[] = [];
  for (const q of queues) {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: q.name, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType:
        q.kind === 'workflow'
          ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
          : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    const mine = (res.pollers ?? []).filter((p) => (p.identity ?? '').endsWith(`@${host}`));
    const fresh = mine.some((p) => {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      return now - seconds * 1000 <= maxAgeMs;
    });
    if (!fresh) missing.push(`${q.kind} queue ${q.name}`);
  }
  return missing;
}

function parseArgs(argv: string[]): { role: string; pool?: string; replica?: string } {
  const [role, ...rest] = argv;
  if (!role) throw new Error('usage: healthcheck <role> [--pool P] [--replica R]');
  const opts: { role: string; pool?: string; replica?: string } = { role };
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i];
    const value = rest[i + 1];
    if ((flag !== '--pool' && flag !== '--replica') || !value)
      throw new Error(`unexpected argument "${flag}"`);
    if (flag === '--pool') opts.pool = value;
    else opts.replica = value;
  }
  return opts;
}

/** CLI entry: parses argv, checks, returns the exit code. */
export async function runHealthcheck(argv: string[] = process.argv.slice(2)): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const config = loadConfig();
  const queues = expectedQueues(config, args.role, args.pool, args.replica);
  const client = await connectClient(config);
  try {
    const maxAgeMs = Number(process.env.SPRINT_HEALTH_MAX_POLL_AGE_MS ?? 180_000);
    const missing = await missingPollers(client, config.temporal.namespace, queues, os.hostname(), maxAgeMs);
    if (missing.length) {
      console.error(`unhealthy: no poller of ${os.hostname()} on ${missing.join(', ')}`);
      return 1;
    }
    console.log(`healthy: ${queues.map((q) => q.name).join(', ')}`);
    return 0;
  } finally {
    await client.connection.close();
  }
}

/** Runs the check and exits the process with its code. */
export function healthcheckMain(): void {
  runHealthcheck().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`unhealthy: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
