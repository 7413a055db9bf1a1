import type { Client } from '@temporalio/client';
import { deepMerge, loadConfig, type SprintConfig } from '../config';
import { configErrorAsUsage } from './config-off-thread';
import { connectClient } from '../workers/connection';
import { CliError, ExitCode } from './exit-codes';

export interface GlobalOptions {
  config?: string;
}

export function readConfig(opts: GlobalOptions, overrides?: Record<string, unknown>): SprintConfig {
  try {
    return loadConfig({ file: opts.config, overrides });
  } catch (err) {
    throw configErrorAsUsage(err);
  }
}

/**
 * The config plus ad-hoc pools (from --planner, --executors, --endpoint), added to the pools the
 * config already has: the defaults when no file is given. Roles the flags do not name keep theirs.
 */
export function readConfigWithPools(
  opts: GlobalOptions,
  pools: Record<string, unknown>,
  more: Record<string, unknown> = {},
): SprintConfig {
  const configured = readConfig(opts).models.pools;
  return readConfig(
    opts,
    deepMerge(more, { models: { pools: { ...configured, ...pools } } }) as Record<string, unknown>,
  );
}

export async function clientFor(config: SprintConfig): Promise<Client> {
  try {
    return await connectClient(config);
  } catch (err) {
    throw new CliError(
      `cannot reach Temporal at ${config.temporal.address} (namespace ${config.temporal.namespace}): ${(err as Error).message}\n` +
        `Start the embedded stack with \`npx sprint dev\`, or point TEMPORAL_ADDRESS at your cluster.`,
      ExitCode.unavailable,
    );
  }
}

/** Web UI link of a workflow run (the embedded UI by default). */
export function uiLink(config: SprintConfig, workflowId: string): string {
  const base = process.env.SPRINT_UI_URL ?? `http://localhost:${config.temporal.embedded.uiPort}`;
  return `${base}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
