import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MethodRunWithText } from '../core/method-result';
import { chooseModel } from '../core/serve/model-names';
import { chatQuestion } from '../core/serve/question';
import {
  chatRequestSchema,
  completionRequestSchema,
  describeIssues,
  type ChatRequest,
  type CompletionRequest,
} from '../core/serve/request-schema';
import {
  answerOf,
  chatChunk,
  chatCompletionBody,
  completionBody,
  completionChunk,
  errorBody,
  finishReasonOf,
  reasoningOf,
  usageChunk,
  type RunIdentity,
} from '../core/serve/responses';
import { roundDeltas } from '../core/serve/round-deltas';
import { followRun, startRun, type RunRequest } from './runs';
import { SseStream } from './sse';
import type { ServeContext } from './context';
import { failureMessage } from '../core/failure-message';

/*
 * POST /v1/chat/completions and /v1/completions: validate, pick the method, start (or attach to)
 * the workflow, then answer at the end or stream its rounds. The workflow id goes back in the
 * `x-sprint-workflow-id` header and the body's `sprint.workflow_id`.
 */

export type GenerationKind = 'chat' | 'completion';
export const WORKFLOW_ID_HEADER = 'x-sprint-workflow-id';
const MAX_IDEMPOTENCY_KEY = 255;

function fail(reply: FastifyReply, status: number, message: string, type: string, param?: string) {
  return reply.code(status).send(errorBody(message, type, param));
}

/** Why a run ended without a result, as an HTTP status and message. */
function runFailure(err: unknown, workflowId: string): { status: number; type: string; message: string } {
  if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
    return { status: 409, type: 'cancelled', message: `session ${workflowId} was cancelled` };
  }
  return {
    status: 502,
    type: 'session_failed',
    message: `session ${workflowId} failed: ${failureMessage(err)}`,
  };
}

export function generationHandler(ctx: ServeContext, kind: GenerationKind) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed =
      kind === 'chat'
        ? chatRequestSchema.safeParse(request.body)
        : completionRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      const first = parsed.error.issues[0]?.path.join('.');
      return fail(reply, 400, describeIssues(parsed.error), 'invalid_request_error', first || undefined);
    }
    const body = parsed.data;
    const model = chooseModel(ctx.models, body.model, body.sprint_method);
    if (!model.ok) return fail(reply, 404, model.error, 'model_not_found', 'model');
    let question: string;
    if (kind === 'chat') {
      const q = chatQuestion((body as ChatRequest).messages);
      if (!q.ok) return fail(reply, 400, q.error, 'invalid_request_error', 'messages');
      question = q.question;
    } else {
      const prompt = (body as CompletionRequest).prompt;
      question = typeof prompt === 'string' ? prompt : prompt[0]!;
      if (!question.trim())
        return fail(reply, 400, 'prompt: the prompt is empty', 'invalid_request_error', 'prompt');
    }
    const keyHeader = request.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
    if (
      idempotencyKey !== undefined &&
      (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
    ) {
      return fail(
        reply,
        400,
        `Idempotency-Key: 1 to ${MAX_IDEMPOTENCY_KEY} characters`,
        'invalid_request_error',
      );
    }

    const release = ctx.limit.tryAcquire();
    if (!release) {
      reply.header('retry-after', String(ctx.options.retryAfterSeconds));
      return fail(
        reply,
        429,
        `${ctx.limit.max} sessions are running on this server; retry after ${ctx.options.retryAfterSeconds} s`,
        'rate_limit_exceeded',
      );
    }
    try {
      const maxTokens =
        kind === 'chat' ? ((body as ChatRequest).max_completion_tokens ?? body.max_tokens) : body.max_tokens;
      const runRequest: RunRequest = {
        method: model.method,
        pool: model.pool,
        question,
        ...(body.temperature != null ? { temperature: body.temperature } : {}),
        ...(body.top_p != null ? { topP: body.top_p } : {}),
        ...(body.seed != null ? { seed: body.seed } : {}),
        ...(maxTokens != null ? { maxTokens } : {}),
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        caller: ctx.auth.callerOf(request.headers.authorization),
      };
      const { workflowId, handle } = await startRun(ctx.client, ctx.config, runRequest);
      ctx.options.log(
        `${kind === 'chat' ? 'chat' : 'completion'} ${model.method} on ${model.pool}: ${workflowId} ${ctx.options.uiLink(workflowId)}`,
      );
      // With an Idempotency-Key every answer for the run must be the same document, so `created` is
      // the workflow's start time, not this request's.
      const startedAt =
        idempotencyKey !== undefined ? (await handle.describe()).startTime.getTime() : Date.now();
      const run: RunIdentity = {
        id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${workflowId}`,
        created: Math.floor(startedAt / 1000),
        model: body.model,
        workflowId,
        method: model.method,
      };

      // A client that goes away: its workflow is cancelled (policy `cancel`), except when it sent an
      // Idempotency-Key, which says it will retry and collect the same run.
      const stopFollowing = new AbortController();
      let answered = false;
      reply.raw.on('close', () => {
        if (answered) return;
        stopFollowing.abort();
        const cancel = ctx.options.onDisconnect === 'cancel' && idempotencyKey === undefined;
        ctx.options.log(
          `${workflowId}: client disconnected; ${cancel ? 'cancelling the workflow' : 'left running'}`,
        );
        if (cancel)
          handle
            .cancel()
            .catch((err: Error) => ctx.options.log(`${workflowId}: cancel failed: ${err.message}`));
      });

      if (!body.stream) {
        let result: MethodRunWithText;
        try {
          result = await followRun(handle, model.method, {
            pollMs: ctx.options.pollMs,
            signal: stopFollowing.signal,
            store: ctx.store,
          });
        } catch (err) {
          answered = true;
          const f = runFailure(err, workflowId);
          reply.header(WORKFLOW_ID_HEADER, workflowId);
          return fail(reply, f.status, f.message, f.type);
        }
        answered = true;
        reply.header(WORKFLOW_ID_HEADER, workflowId);
        return reply.send(kind === 'chat' ? chatCompletionBody(run, result) : completionBody(run, result));
      }

      // Streaming: fastify hands the socket over; the chunks are written here.
      reply.hijack();
      const sse = new SseStream(reply.raw);
      sse.open({ [WORKFLOW_ID_HEADER]: workflowId });
      if (kind === 'chat') sse.send(chatChunk(run, { role: 'assistant', content: '' }));
      let sent = 0;
      let reasoningSent = '';
      const emitReasoning = (text: string) => {
        if (!text) return;
        reasoningSent += text;
        // A completions stream has no reasoning channel: it carries the answer text only.
        if (kind === 'chat') sse.send(chatChunk(run, { reasoning_content: text }));
      };
      const keepAlive = setInterval(
        () => sse.keepAlive(ctx.options.keepAliveMs),
        Math.min(ctx.options.keepAliveMs, 5000),
      );
      try {
        const result = await followRun(handle, model.method, {
          pollMs: ctx.options.pollMs,
          signal: stopFollowing.signal,
          store: ctx.store,
          onProgress: (rounds) => {
            const next = roundDeltas(rounds, sent);
            sent = next.sent;
            for (const d of next.deltas) emitReasoning(d);
          },
        });
        // Rounds that ended after the last poll: the rest of the reasoning, from the result.
        const reasoning = reasoningOf(result);
        emitReasoning(reasoning.startsWith(reasoningSent) ? reasoning.slice(reasoningSent.length) : '');
        const finish = finishReasonOf(result);
        if (kind === 'chat') sse.send(chatChunk(run, { content: answerOf(result) }, finish));
        else sse.send(completionChunk(run, answerOf(result), finish));
        sse.send(usageChunk(run, kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', result));
      } catch (err) {
        const f = runFailure(err, workflowId);
        sse.send(errorBody(f.message, f.type));
      } finally {
        clearInterval(keepAlive);
        answered = true;
        sse.end();
      }
    } finally {
      release();
    }
  };
}
