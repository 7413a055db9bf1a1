import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServeContext } from '../context';
import { sendError } from '../errors';
import { answer } from './answer';
import { authorize } from './authorize';
import { watchClient } from './disconnect';
import type { GenerationBody, GenerationEndpoint } from './endpoint';
import { limit } from './limit';
import { start, type StartedGeneration } from './start';
import { stream } from './stream';
import { validate } from './validate';

/*
 * One generation request, top to bottom: validate -> authorize -> limit -> start -> stream (or
 * answer whole). The workflow id goes back in the `x-sprint-workflow-id` header and the body's
 * `sprint.workflow_id`.
 */
export function generationHandler<Body extends GenerationBody>(
  ctx: ServeContext,
  endpoint: GenerationEndpoint<Body>,
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const valid = validate(endpoint, request, ctx.models, ctx.tokenBudgets);
    if (!valid.ok) return sendError(reply, valid.error);
    const caller = authorize(ctx, request);
    const slot = limit(ctx, caller);
    if (!slot.ok) return sendError(reply, slot.error);
    let run;
    try {
      run = await start(ctx, endpoint, valid.request, caller);
    } catch (err) {
      slot.release();
      throw err;
    }
    if (!run.ok) {
      slot.release();
      return sendError(reply, run.error);
    }
    const { started } = run;
    // The slot belongs to the run, not to the socket: a client that goes away while its run goes on
    // (Idempotency-Key, on-disconnect continue) keeps holding it until the workflow closes.
    releaseWhenClosed(started, slot.release);
    const client = watchClient(ctx, reply, started, valid.request.idempotencyKey);
    if (valid.request.stream) return await stream(ctx, endpoint, reply, started, client);
    return await answer(ctx, endpoint, reply, started, client);
  };
}

/** Calls `release` once the run's workflow has closed, however it closed. */
function releaseWhenClosed(started: StartedGeneration, release: () => void): void {
  void started.handle.result().then(release, release);
}
