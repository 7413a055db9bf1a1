import type { FastifyInstance } from 'fastify';
import { completionRequestSchema, type CompletionRequest } from '../../core/serve/request-schema';
import { answerOf, completionBody, completionChunk, finishReasonOf } from '../../core/serve/responses';
import type { ServeContext } from '../context';
import type { GenerationEndpoint } from '../pipeline/endpoint';
import { generationHandler } from '../pipeline/generation';

/** POST /v1/completions: one prompt is the question; the stream carries the answer text only. */
export const completionEndpoint: GenerationEndpoint<CompletionRequest> = {
  name: 'completion',
  idPrefix: 'cmpl',
  schema: completionRequestSchema,
  question: (body) => {
    const question = typeof body.prompt === 'string' ? body.prompt : body.prompt[0]!;
    return question.trim()
      ? { ok: true, question }
      : { ok: false, message: 'prompt: the prompt is empty', param: 'prompt' };
  },
  maxTokens: (body) => body.max_tokens ?? undefined,
  body: completionBody,
  opening: () => [],
  // A completions stream has no reasoning channel.
  reasoning: () => undefined,
  answer: (run, result) => completionChunk(run, answerOf(result), finishReasonOf(result)),
  chunkObject: 'text_completion',
};

export function register(app: FastifyInstance, ctx: ServeContext): void {
  app.post('/v1/completions', generationHandler(ctx, completionEndpoint));
}
