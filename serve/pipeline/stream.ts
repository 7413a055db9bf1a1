import type { FastifyReply } from 'fastify';
import { errorBody, reasoningOf, usageChunk } from '../../core/serve/responses';
import { roundDeltas } from '../../core/serve/round-deltas';
import type { ServeContext } from '../context';
import { REQUEST_ID_HEADER } from '../errors';
import { followRun } from '../runs';
import { SseStream } from '../sse';
import type { ClientWatch } from './disconnect';
import type { AnswerShapes } from './endpoint';
import { runFailure } from './run-failure';
import { WORKFLOW_ID_HEADER, type StartedGeneration } from './start';

/**
 * Step 5, streamed: each finished round as reasoning deltas while the run goes on, then the rest of
 * the reasoning, the answer and a usage chunk. Fastify hands the socket over; chunks are written here.
 */
export async function stream(
  ctx: ServeContext,
  endpoint: AnswerShapes,
  reply: FastifyReply,
  started: StartedGeneration,
  client: ClientWatch,
): Promise<void> {
  const { run } = started;
  reply.hijack();
  const sse = new SseStream(reply.raw);
  sse.open({ [WORKFLOW_ID_HEADER]: started.workflowId, [REQUEST_ID_HEADER]: reply.request.id });
  for (const chunk of endpoint.opening(run)) await sse.send(chunk);
  let roundsSent = 0;
  let reasoningSent = '';
  const sendReasoning = async (text: string) => {
    if (!text) return;
    reasoningSent += text;
    const chunk = endpoint.reasoning(run, text);
    if (chunk !== undefined) await sse.send(chunk);
  };
  const keepAlive = setInterval(
    () => sse.keepAlive(ctx.options.keepAliveMs),
    Math.min(ctx.options.keepAliveMs, 5000),
  );
  try {
    const result = await followRun(started.handle, run.method, {
      pollMs: ctx.options.pollMs,
      signal: client.signal,
      store: ctx.store,
      onProgress: async (rounds) => {
        const next = roundDeltas(rounds, roundsSent);
        roundsSent = next.sent;
        for (const delta of next.deltas) await sendReasoning(delta);
      },
    });
    // Rounds that ended after the last poll: the rest of the reasoning, from the result.
    const reasoning = reasoningOf(result);
    await sendReasoning(reasoning.startsWith(reasoningSent) ? reasoning.slice(reasoningSent.length) : '');
    await sse.send(endpoint.answer(run, result));
    await sse.send(usageChunk(run, endpoint.chunkObject, result));
  } catch (err) {
    const f = runFailure(err, started.workflowId, reply.request.id, ctx.options.log);
    await sse.send(errorBody(f.message, f.type));
  } finally {
    clearInterval(keepAlive);
    client.answered();
    sse.end();
  }
}
