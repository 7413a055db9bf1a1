import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { MethodRunResult } from '../../core/method-result';
import { usageOf } from '../../core/serve/responses';
import { readResultText } from '../../io/session-texts';
import type { ServeContext } from '../context';
import { sendError } from '../errors';
import { WORKFLOW_ID_HEADER } from '../pipeline/start';
import { startedFor } from '../runs';

/*
 * GET /v1/sessions/{id}: a session started here for this API key, its result once finished, its
 * state while not. Another key's session is answered as missing, so an id does not tell whether it
 * exists.
 */
export function register(app: FastifyInstance, ctx: ServeContext): void {
  app.get<{ Params: { id: string } }>('/v1/sessions/:id', async (request, reply) => {
    const id = request.params.id;
    const notFound = () =>
      sendError(reply, {
        status: 404,
        type: 'not_found',
        message: `no session "${id}" started by this service for this API key`,
        param: 'id',
      });
    if (!startedFor(id, ctx.auth.callerOf(request.headers.authorization))) return notFound();
    const handle = ctx.client.workflow.getHandle(id);
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return notFound();
      throw err;
    }
    reply.header(WORKFLOW_ID_HEADER, id);
    if (status !== 'COMPLETED') return { id, object: 'sprint.session', status: status.toLowerCase() };
    const result = await readResultText(ctx.store, (await handle.result()) as MethodRunResult);
    return { id, object: 'sprint.session', status: 'completed', result, usage: usageOf(result.tokens) };
  });
}
