import type { z } from 'zod';
import type { MethodRunWithText } from '../../core/method-result';
import type { RunIdentity } from '../../core/serve/responses';
import type { chatRequestSchema, completionRequestSchema } from '../../core/serve/request-schema';

/** The fields every generation body has (the chat and completions shapes share them). */
export type GenerationBody = z.infer<typeof chatRequestSchema> | z.infer<typeof completionRequestSchema>;

export type QuestionOf = { ok: true; question: string } | { ok: false; message: string; param: string };

/** How an endpoint shapes its answers, whole or streamed. */
export interface AnswerShapes {
  /** For log lines. */
  name: string;
  /** Response ids are `<idPrefix>-<workflow id>`. */
  idPrefix: string;
  /** The whole answer of a request that did not stream. */
  body(run: RunIdentity, result: MethodRunWithText): unknown;
  /** Stream chunks: the opening ones, a reasoning delta (undefined where the shape has no channel for it), the answer. */
  opening(run: RunIdentity): unknown[];
  reasoning(run: RunIdentity, text: string): unknown;
  answer(run: RunIdentity, result: MethodRunWithText): unknown;
  /** The `object` of the last (usage) chunk. */
  chunkObject: 'chat.completion.chunk' | 'text_completion';
}

/**
 * What differs between the generation endpoints: the body's shape, how it reads as one question,
 * and the answer's shapes. The pipeline (serve/pipeline/generation.ts) is the same for all.
 */
export interface GenerationEndpoint<Body extends GenerationBody> extends AnswerShapes {
  schema: z.ZodType<Body>;
  question(body: Body): QuestionOf;
  /** The per-call token cap the body asks for. */
  maxTokens(body: Body): number | undefined;
}
