import type { FastifyReply } from 'fastify';
import type { MethodRunWithText } from '../../core/method-result';
import type { ServeContext } from '../context';
import { sendError } from '../errors';
import { followRun } from '../runs';
import type { ClientWatch } from './disconnect';
import type { AnswerShapes } from './endpoint';
import { runFailure } from './run-failure';
import { WORKFLOW_ID_HEADER, type StartedGeneration } from './start';

/** Step 5, not streamed: wait for the run, then answer with the whole document. */
export async function answer(
  ctx: ServeContext,
  endpoint: AnswerShapes,
  reply: FastifyReply,
  started: StartedGeneration,
  client: ClientWatch,
): Promise<FastifyReply> {
  let result: MethodRunWithText;
  try {
    result = await followRun(started.handle, started.run.method, {
      pollMs: ctx.options.pollMs,
      signal: client.signal,
      store: ctx.store,
    });
  } catch (err) {
    client.answered();
    reply.header(WORKFLOW_ID_HEADER, started.workflowId);
    return sendError(reply, runFailure(err, started.workflowId, reply.request.id, ctx.options.log));
  }
  client.answered();
  reply.header(WORKFLOW_ID_HEADER, started.workflowId);
  return reply.send(endpoint.body(started.run, result));
}
