import { z } from 'zod';
import { methodNames } from '../method-result';

/*
 * The request bodies `sprint serve` accepts: the OpenAI chat-completions and completions shapes
 * (the fields a session can honour), plus the optional extension field `sprint_method`. Unknown
 * fields are ignored, as OpenAI-compatible servers do, so clients that send extras (user, logit
 * bias defaults, ...) still work; fields whose meaning a session cannot honour are rejected by name.
 */

/** The methods a request may name: the platform's one list. */
export const METHODS = methodNames;

const textPart = z.object({ type: z.literal('text'), text: z.string() });

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  // Content parts (the newer shape) are accepted when they are all text.
  content: z.union([z.string(), z.array(textPart).min(1)]),
});

const common = {
  model: z.string().min(1),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  // Engines take an unsigned seed: a negative one would pass here and fail later as a 502.
  seed: z.number().int().min(0).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  // One session answers one request: more than one choice would be several sessions.
  n: z.literal(1).nullish(),
  /** Extension: the method, when the model name does not say it. */
  sprint_method: z.enum(METHODS).optional(),
};

export const chatRequestSchema = z.object({
  ...common,
  messages: z.array(chatMessageSchema).min(1),
  max_completion_tokens: z.number().int().positive().nullish(),
  // Tool calling and log-probabilities have no meaning for a planner/executor session.
  tools: z.array(z.unknown()).max(0, 'tools are not supported by SPRINT sessions').nullish(),
  logprobs: z.literal(false, 'logprobs are not supported by SPRINT sessions').nullish(),
});

export const completionRequestSchema = z.object({
  ...common,
  // A single prompt (a one-element list is accepted: lm-eval-harness batches of one send it so).
  prompt: z
    .union([z.string(), z.array(z.string())], 'a string or a list of one string')
    .refine((p) => typeof p === 'string' || p.length === 1, 'one prompt per request'),
  logprobs: z.null('logprobs are not supported by SPRINT sessions').optional(),
  echo: z.literal(false, 'echo is not supported by SPRINT sessions').nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** "messages.2.content: Invalid input" style: the first problem, with its field path. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
}
