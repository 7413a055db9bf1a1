import type { WorkflowHandle } from '@temporalio/client';
import type { RunIdentity } from '../../core/serve/responses';
import type { ServeContext } from '../context';
import type { HttpError } from '../errors';
import { REQUEST_DIGEST_MEMO, requestDigest, startRun } from '../runs';
import type { AnswerShapes } from './endpoint';
import type { GenerationRequest } from './validate';

/** The workflow id of an answer, also in the body's `sprint.workflow_id`. */
export const WORKFLOW_ID_HEADER = 'x-sprint-workflow-id';

export interface StartedGeneration {
  workflowId: string;
  handle: WorkflowHandle;
  /** What names the run in every body and chunk. */
  run: RunIdentity;
}

export type Started = { ok: true; started: StartedGeneration } | { ok: false; error: HttpError };

/**
 * Step 4: start the method workflow, or attach to the one an Idempotency-Key names when it was
 * asked the same; the same key with another request is a 422 (as payment APIs answer it).
 */
export async function start(
  ctx: ServeContext,
  endpoint: AnswerShapes,
  request: GenerationRequest,
  caller: string,
): Promise<Started> {
  const runRequest = { ...request, caller };
  const { workflowId, handle } = await startRun(ctx.client, ctx.config, runRequest);
  let startedAt = Date.now();
  if (request.idempotencyKey !== undefined) {
    const description = await handle.describe();
    const asked = description.memo?.[REQUEST_DIGEST_MEMO];
    if (asked !== undefined && asked !== requestDigest(runRequest)) {
      return {
        ok: false,
        error: {
          status: 422,
          type: 'idempotency_key_reused',
          message: 'Idempotency-Key: already used with another request; send a new key for a new request',
        },
      };
    }
    // Every answer for the run must be the same document, so `created` is the workflow's start.
    startedAt = description.startTime.getTime();
  }
  ctx.options.log(
    `${endpoint.name} ${request.method} on ${request.pool}: ${workflowId} ${ctx.options.uiLink(workflowId)}`,
  );
  const started: StartedGeneration = {
    workflowId,
    handle,
    run: {
      id: `${endpoint.idPrefix}-${workflowId}`,
      created: Math.floor(startedAt / 1000),
      model: request.model,
      workflowId,
      method: request.method,
    },
  };
  return { ok: true, started };
}
