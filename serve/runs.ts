import { createHash, randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { runPriorityParts, sessionRunInput, type SprintConfig } from '../config';
import { apiKeyId } from '../core/priority/mapping';
import type { MethodName, MethodRunInput, MethodRunResult, MethodRunWithText } from '../core/method-result';
import type { RoundRecord } from '../core/session-types';
import type { ArtifactStore } from '../io/artifacts';
import { readResultText, readRound } from '../io/session-texts';
import { methodWorkflows } from '../workflows/evaluation';
import { progressQuery } from '../workflows/session';
import { controlQueue } from '../config/queues';

/*
 * One request = one method workflow. Its id is `serve-<time>-<random>-<owner>`, or, with an
 * Idempotency-Key, `serve-key-<sha256 of caller and key>-<owner>` so a retried request lands on the
 * same id: while it runs the conflict policy USE_EXISTING attaches to it, once it completed the reuse
 * policy ALLOW_DUPLICATE_FAILED_ONLY refuses a new run and the request attaches to the finished one
 * (a failed or cancelled one is run again). The key is hashed: a client's key may be anything.
 * `<owner>` ties the id to the API key that started it (a digest of the caller's digest and the rest
 * of the id), so `GET /v1/sessions/{id}` answers only that key without keeping any state, and an id
 * seen in a log or the Web UI is no ticket to another caller's questions and answers.
 */

export const SERVE_ID_PREFIX = 'serve-';

const OWNED_ID = /^serve-(.+)-([0-9a-f]{16})$/;

function ownerTag(caller: string, base: string): string {
  return createHash('sha256')
    .update('sprint-serve-owner\n')
    .update(caller)
    .update('\n')
    .update(base)
    .digest('hex')
    .slice(0, 16);
}

/**
 * `caller` is who asks (the digest of the API key, never the key; '' without authentication). It
 * scopes the Idempotency-Key too: two callers that happen to pick the same key get different
 * workflows.
 */
export function workflowIdFor(idempotencyKey: string | undefined, caller = ''): string {
  const base =
    idempotencyKey === undefined
      ? `${Date.now()}-${randomBytes(4).toString('hex')}`
      : `key-${createHash('sha256').update(caller).update('\n').update(idempotencyKey).digest('hex').slice(0, 40)}`;
  return `${SERVE_ID_PREFIX}${base}-${ownerTag(caller, base)}`;
}

/** True when `workflowId` is a run this service started for `caller`. */
export function startedFor(workflowId: string, caller = ''): boolean {
  const m = OWNED_ID.exec(workflowId);
  return m !== null && ownerTag(caller, m[1]!) === m[2];
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
  /** Who asked (a digest of the API key): the owner of the run, and the scope of its idempotency key. */
  caller?: string;
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

/** Memo field of a served run: the digest of what it was asked (see requestDigest). */
export const REQUEST_DIGEST_MEMO = 'sprintRequestDigest';

/**
 * What a run was asked, as a digest: an Idempotency-Key retried with another body is told apart
 * from a true retry without keeping any state (the digest travels in the run's memo). A digest, not
 * the request: the memo is shown in the Web UI.
 */
export function requestDigest(req: RunRequest): string {
  const asked = [req.method, req.pool, req.question, req.temperature, req.topP, req.seed, req.maxTokens];
  return createHash('sha256').update(JSON.stringify(asked)).digest('hex');
}

export interface StartedRun {
  workflowId: string;
  handle: WorkflowHandle;
}

export async function startRun(client: Client, config: SprintConfig, req: RunRequest): Promise<StartedRun> {
  const workflowId = workflowIdFor(req.idempotencyKey, req.caller);
  // Interactive by default; the fairness key is the API key's id (a digest prefix, never the key).
  const priority = runPriorityParts(config, {
    command: 'serve',
    keyId: apiKeyId(req.caller ?? ''),
    runId: workflowId,
  });
  const options = {
    taskQueue: controlQueue(config),
    workflowId,
    args: [{ ...runInput(config, req), ...priority.input }],
    ...priority.start,
    staticSummary: `served ${req.method}: ${req.question.slice(0, 120)}`,
    memo: { [REQUEST_DIGEST_MEMO]: requestDigest(req) },
    ...(req.idempotencyKey !== undefined
      ? {
          workflowIdConflictPolicy: 'USE_EXISTING' as const,
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
        }
      : {}),
  };
  try {
    const handle = await client.workflow.start(methodWorkflows[req.method].name, options);
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
  /** Called after each progress answer with every finished round so far, texts read back (awaited). */
  onProgress?: (rounds: readonly RoundRecord[]) => void | Promise<void>;
  /** Where stored texts (long sessions: core/session/payload-limits.ts) are read from. */
  store: ArtifactStore;
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
): Promise<MethodRunWithText> {
  const result = (handle.result() as Promise<MethodRunResult>).then((r) => readResultText(opts.store, r));
  // Following stops at once when the client is gone (its slot frees now, not when the run ends).
  const stopped = new Promise<never>((_, reject) => {
    const stop = () => reject(new FollowStopped());
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
  });
  stopped.catch(() => undefined);
  result.catch(() => undefined);
  if (method !== 'sprint' || !opts.onProgress) return Promise.race([result, stopped]);
  let done = false;
  const finished = result.then(
    () => (done = true),
    () => (done = true),
  );
  // Each poll asks only for rounds not seen yet.
  const rounds: RoundRecord[] = [];
  while (!done && !opts.signal?.aborted) {
    try {
      const p = await handle.query(progressQuery, rounds.length);
      if (p.roundsFrom === rounds.length)
        for (const r of p.rounds) rounds.push(await readRound(opts.store, r));
      await opts.onProgress(rounds);
    } catch {
      // no answer this time; the next poll asks again
    }
    // The interval's timer is cleared when the run ends first, so a long poll interval never keeps
    // a finished follower (or the process) waiting.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      stopped.catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, opts.pollMs))),
    ]);
    clearTimeout(timer);
  }
  // Rounds finished after the last poll are not queried again: the result's text holds them.
  return Promise.race([result, stopped]);
}

/** The follower was stopped (the client went away); the workflow itself was left to its policy. */
export class FollowStopped extends Error {
  constructor() {
    super('stopped following: the client went away');
  }
}
