import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { bundleWorkflowCode, type NativeConnection, type WorkerDeploymentOptions } from '@temporalio/worker';
import type { SprintConfig } from '../config/schema';
import { queuePrefix } from '../config/queues';
import { bundlerLogger, workflowBundleOptions } from './bundle-options';

/*
 * Safe upgrades with Temporal Worker Versioning. The control worker (the only one that runs
 * workflow code) registers as version <deploymentName>/<buildId>. Short workflows (sessions,
 * single calls) are PINNED: they finish on the build that started them, however many new builds
 * roll out meanwhile, as long as that build's workers keep running. Long ones (pipeline, training,
 * curation, evaluation) AUTO_UPGRADE: they move to the new build at their next task, which is safe
 * because the determinism guard replays recorded histories of every release against new code and
 * history-changing edits go behind `patched()`. The behaviour of each workflow type is declared
 * in workflows/versioning.ts. Activity workers are unversioned: activities carry no replay state.
 */

export interface WorkflowCode {
  code: string;
}

/** The pre-built workflow bundle as code, or undefined when there is no such file. */
export function builtWorkflowCode(bundlePath: string | undefined): WorkflowCode | undefined {
  return bundlePath && fs.existsSync(bundlePath) ? { code: fs.readFileSync(bundlePath, 'utf8') } : undefined;
}

/** The workflow bundle the worker runs, as code: the pre-built file when there is one, else bundled now. */
export async function workflowCode(bundlePath: string | undefined): Promise<WorkflowCode> {
  const built = builtWorkflowCode(bundlePath);
  if (built) return built;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    ...workflowBundleOptions,
    logger: bundlerLogger,
  });
  return { code };
}

export function deploymentName(config: SprintConfig): string {
  const fromPrefix = queuePrefix(config).replace(/[^A-Za-z0-9_-]/g, '');
  return config.temporal.versioning.deploymentName ?? (fromPrefix ? `sprint-${fromPrefix}` : 'sprint');
}

/** Identical workflow code is one version, whichever checkout or image it came from. */
export function buildIdOf(config: SprintConfig, code: string): string {
  return config.temporal.versioning.buildId ?? createHash('sha256').update(code).digest('hex').slice(0, 12);
}

export function deploymentOptions(config: SprintConfig, code: string): WorkerDeploymentOptions {
  return {
    useWorkerVersioning: true,
    version: { deploymentName: deploymentName(config), buildId: buildIdOf(config, code) },
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}

/**
 * Makes the version current once the server knows it (it learns of a version from the worker's
 * first poll, so the first attempts may find none). Until a current version is set, workflows
 * of the deployment wait for one.
 */
export async function promoteWhenPolling(
  connection: NativeConnection,
  namespace: string,
  options: WorkerDeploymentOptions,
  identity: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.setWorkerDeploymentCurrentVersion({
        namespace,
        deploymentName: options.version.deploymentName,
        buildId: options.version.buildId,
        identity,
        ignoreMissingTaskQueues: true,
      });
      return;
    } catch (err) {
      // The worker stopped and closed its connection before the server took the version: nothing
      // left to promote (retrying a closed client until the deadline only reported it a minute late).
      if (/already closed/i.test((err as Error).message)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `could not make ${options.version.deploymentName}/${options.version.buildId} the current version: ${(err as Error).message}`,
        );
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}
