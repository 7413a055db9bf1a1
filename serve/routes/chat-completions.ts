import type { FastifyInstance } from 'fastify';
import { chatQuestion } from '../../core/serve/question';
import { chatRequestSchema, type ChatRequest } from '../../core/serve/request-schema';
import {
  answerOf,
  chatChunk,
  chatCompletionBody,
  finishReasonOf,
  reasoningFields,
} from '../../core/serve/responses';
import type { ServeContext } from '../context';
import type { GenerationEndpoint } from '../pipeline/endpoint';
import { generationHandler } from '../pipeline/generation';

/** POST /v1/chat/completions: the conversation is the question; reasoning and answer come apart. */
export const chatEndpoint: GenerationEndpoint<ChatRequest> = {
  name: 'chat',
  idPrefix: 'chatcmpl',
  schema: chatRequestSchema,
  question: (body) => {
    const q = chatQuestion(body.messages);
    return q.ok ? q : { ok: false, message: q.error, param: 'messages' };
  },
  maxTokens: (body) => body.max_completion_tokens ?? body.max_tokens ?? undefined,
  body: chatCompletionBody,
  opening: (run) => [chatChunk(run, { role: 'assistant', content: '' })],
  reasoning: (run, text) => chatChunk(run, reasoningFields(text)),
  answer: (run, result) => chatChunk(run, { content: answerOf(result) }, finishReasonOf(result)),
  chunkObject: 'chat.completion.chunk',
};

export function register(app: FastifyInstance, ctx: ServeContext): void {
  app.post('/v1/chat/completions', generationHandler(ctx, chatEndpoint));
}
