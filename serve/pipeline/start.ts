import type { WorkflowHandle } from '@temporalio/client';
import type { RunIdentity } from '../../core/serve/responses';
import type { ServeContext } from '../context';
import { startRun } from '../runs';
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

/** Step 4: start the method workflow (or attach to the one an Idempotency-Key names). */
export async function start(
  ctx: ServeContext,
  endpoint: AnswerShapes,
  request: GenerationRequest,
  caller: string,
): Promise<StartedGeneration> {
  const { workflowId, handle } = await startRun(ctx.client, ctx.config, { ...request, caller });
  ctx.options.log(
    `${endpoint.name} ${request.method} on ${request.pool}: ${workflowId} ${ctx.options.uiLink(workflowId)}`,
  );
  // With an Idempotency-Key every answer for the run must be the same document, so `created` is
  // the workflow's start time, not this request's.
  const startedAt =
    request.idempotencyKey !== undefined ? (await handle.describe()).startTime.getTime() : Date.now();
  return {
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
}
