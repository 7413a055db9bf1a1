import type { FastifyRequest } from 'fastify';
import { chooseModel, type ServedModel } from '../../core/serve/model-names';
import { describeIssues } from '../../core/serve/request-schema';
import { maxTokensCeiling, type TokenBudgets } from '../../core/serve/token-ceiling';
import type { HttpError } from '../errors';
import type { RunRequest } from '../runs';
import type { GenerationBody, GenerationEndpoint } from './endpoint';

/** A generation request that passed every check: what the run needs, in the server's terms. */
export interface GenerationRequest extends Omit<RunRequest, 'caller'> {
  /** The model name as asked (echoed in every answer). */
  model: string;
  stream: boolean;
}

export type Validated = { ok: true; request: GenerationRequest } | { ok: false; error: HttpError };

const MAX_IDEMPOTENCY_KEY = 255;

const invalid = (message: string, param?: string): Validated => ({
  ok: false,
  error: { status: 400, type: 'invalid_request_error', message, ...(param ? { param } : {}) },
});

/**
 * Step 1: the body's shape, the model, the question, the Idempotency-Key header, and `max_tokens`
 * within the server's budget (a request lowers its per-call budget, never raises it).
 */
export function validate<Body extends GenerationBody>(
  endpoint: GenerationEndpoint<Body>,
  request: FastifyRequest,
  models: readonly ServedModel[],
  budgets: TokenBudgets,
): Validated {
  const parsed = endpoint.schema.safeParse(request.body);
  if (!parsed.success) {
    return invalid(describeIssues(parsed.error), parsed.error.issues[0]?.path.join('.') || undefined);
  }
  const body = parsed.data;
  const model = chooseModel(models, body.model, body.sprint_method);
  if (!model.ok) {
    return {
      ok: false,
      error: { status: 404, type: 'model_not_found', message: model.error, param: 'model' },
    };
  }
  const question = endpoint.question(body);
  if (!question.ok) return invalid(question.message, question.param);
  const header = request.headers['idempotency-key'];
  const idempotencyKey = Array.isArray(header) ? header[0] : header;
  if (
    idempotencyKey !== undefined &&
    (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
  ) {
    return invalid(`Idempotency-Key: 1 to ${MAX_IDEMPOTENCY_KEY} characters`);
  }
  const maxTokens = endpoint.maxTokens(body);
  const ceiling = maxTokensCeiling(model.method, budgets);
  if (maxTokens != null && ceiling !== undefined && maxTokens > ceiling) {
    return invalid(`max_tokens: at most ${ceiling} on this server (got ${maxTokens})`, 'max_tokens');
  }
  return {
    ok: true,
    request: {
      model: body.model,
      method: model.method,
      pool: model.pool,
      question: question.question,
      stream: body.stream === true,
      ...(body.temperature != null ? { temperature: body.temperature } : {}),
      ...(body.top_p != null ? { topP: body.top_p } : {}),
      ...(body.seed != null ? { seed: body.seed } : {}),
      ...(maxTokens != null ? { maxTokens } : {}),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    },
  };
}
