import { createHash, randomBytes } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { sessionRunInput, type SprintConfig } from '../config';
import type { MethodName, MethodRunInput, MethodRunResult } from '../core/method-result';
import type { SessionProgress } from '../core/session-types';
import { methodWorkflowTypes } from '../workflows/evaluation';
import { progressQuery } from '../workflows/session';

/*
 * One request = one method workflow. Its id is `serve-<random>`, or, with an Idempotency-Key,
 * `serve-key-<sha256 of the key>` so a retried request lands on the same id: while it runs the
 * conflict policy USE_EXISTING attaches to it, once it completed the reuse policy
 * ALLOW_DUPLICATE_FAILED_ONLY refuses a new run and the request attaches to the finished one
 * (a failed or cancelled one is run again). The key is hashed: a client's key may be anything.
 */

export const SERVE_ID_PREFIX = 'serve-';

export function workflowIdFor(idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return `${SERVE_ID_PREFIX}${Date.now()}-${randomBytes(4).toString('hex')}`;
  return `${SERVE_ID_PREFIX}key-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
}

export interface RunRequest {
  method: MethodName;
  pool: string;
  question: string;
  /** Request sampling fields mapped onto the method's settings. */
  temperature?: number;
  topP?: number;
  seed?: number;
  maxTokens?: number;
  idempotencyKey?: string;
}

/** The workflow input of a method run: plain settings and queue names, never URLs or keys. */
export function runInput(config: SprintConfig, req: RunRequest): MethodRunInput {
  const sampling = {
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { topP: req.topP } : {}),
    ...(req.seed !== undefined ? { seed: req.seed } : {}),
  };
  switch (req.method) {
    case 'sprint':
    case 'sequential': {
      // `max_tokens` bounds each call of a session, and the one call of the sequential baseline.
      const cap =
        req.maxTokens === undefined
          ? {}
          : req.method === 'sprint'
            ? { maxTokensPerCall: req.maxTokens }
            : { sequentialMaxTokens: req.maxTokens };
      const executorPool = req.pool === config.models.roles.planner ? config.models.roles.executor : req.pool;
      return sessionRunInput(config, req.question, {
        plannerPool: req.pool,
        executorPool,
        settings: { ...sampling, ...cap },
      });
    }
    case 'sot':
    case 'sc':
      return {
        question: req.question,
        pool: req.pool,
        settings: {
          ...config.evaluation[req.method],
          temperature: config.evaluation.temperature,
          ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        },
      };
  }
}

export interface StartedRun {
  workflowId: string;
  handle: WorkflowHandle;
}

export async function startRun(client: Client, config: SprintConfig, req: RunRequest): Promise<StartedRun> {
  const workflowId = workflowIdFor(req.idempotencyKey);
  const options = {
    taskQueue: config.taskQueues.control,
    workflowId,
    args: [runInput(config, req)],
    staticSummary: `served ${req.method}: ${req.question.slice(0, 120)}`,
    ...(req.idempotencyKey !== undefined
      ? { workflowIdConflictPolicy: 'USE_EXISTING' as const, workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const }
      : {}),
  };
  try {
    const handle = await client.workflow.start(methodWorkflowTypes[req.method], options);
    return { workflowId, handle };
  } catch (err) {
    // Only reached with a key: the earlier run completed, so the retry gets its result.
    if (err instanceof WorkflowExecutionAlreadyStartedError && req.idempotencyKey !== undefined) {
      return { workflowId, handle: client.workflow.getHandle(workflowId) };
    }
    throw err;
  }
}

export interface FollowOptions {
  /** How often the progress query is asked (SPRINT sessions only). */
  pollMs: number;
  /** Called with every progress snapshot that answered. */
  onProgress?: (p: SessionProgress) => void;
  /** Stops following (the workflow itself is left alone). */
  signal?: AbortSignal;
}

/**
 * The run's result; for SPRINT sessions the progress query is followed meanwhile. A query that
 * finds no worker (or falls between continue-as-new runs) is simply asked again.
 */
export async function followRun(
  handle: WorkflowHandle,
  method: MethodName,
  opts: FollowOptions,
): Promise<MethodRunResult> {
  const result = handle.result() as Promise<MethodRunResult>;
  if (method !== 'sprint' || !opts.onProgress) return result;
  let done = false;
  const finished = result.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done && !opts.signal?.aborted) {
    try {
      opts.onProgress(await handle.query(progressQuery));
    } catch {
      // no answer this time; the next poll asks again
    }
    await Promise.race([finished, new Promise((r) => setTimeout(r, opts.pollMs))]);
  }
  // Rounds finished after the last poll are not queried again: the result's text holds them.
  return result;
}
