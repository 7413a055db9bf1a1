import type { FastifyReply } from 'fastify';
import type { ServeContext } from '../context';
import type { StartedGeneration } from './start';

export interface ClientWatch {
  /** Aborted when the client went away before its answer. */
  signal: AbortSignal;
  /** The answer is out: a close from now on is the normal end. */
  answered(): void;
}

/**
 * A client that goes away (at any moment, also before this watch began) stops the following; its workflow is cancelled (policy `cancel`), except
 * when it sent an Idempotency-Key, which says it will retry and collect the same run.
 */
export function watchClient(
  ctx: ServeContext,
  reply: FastifyReply,
  started: StartedGeneration,
  idempotencyKey: string | undefined,
): ClientWatch {
  const gone = new AbortController();
  let answered = false;
  const { workflowId, handle } = started;
  const onGone = () => {
    if (answered || gone.signal.aborted) return;
    gone.abort();
    const cancel = ctx.options.onDisconnect === 'cancel' && idempotencyKey === undefined;
    ctx.options.log(
      `${workflowId}: client disconnected; ${cancel ? 'cancelling the workflow' : 'left running'}`,
    );
    if (cancel)
      handle.cancel().catch((err: Error) => ctx.options.log(`${workflowId}: cancel failed: ${err.message}`));
  };
  reply.raw.on('close', onGone);
  // A client that left while the workflow was being started closed before the listener was set.
  if (reply.raw.destroyed || reply.request.raw.socket?.destroyed) onGone();
  return { signal: gone.signal, answered: () => (answered = true) };
}
