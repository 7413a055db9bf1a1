import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { EngineKind } from '../config/schema';
import { engineErrorText, withEngineErrorBodies } from './engine-error-body';
import { pooledEngineFetch, postEngineJson, type EngineReply } from './engine-transport';
import { networkErrorMessage } from './network-error';

/** Where one replica's engine lives. The API key is resolved by the worker from its own environment. */
export interface EngineEndpoint {
  baseUrl: string;
  model: string;
  engine: EngineKind;
  apiKey?: string;
  timeoutMs: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens served from the engine's prefix cache, when the engine reports them. */
  cachedPromptTokens?: number;
}

export interface SamplingOptions {
  maxTokens: number;
  stop?: string[];
  temperature?: number;
  topP?: number;
  seed?: number;
  /** Keep the matched stop string at the end of the text (vLLM include_stop_str_in_output, SGLang no_stop_trim). */
  includeStopString?: boolean;
  /** Per-call override of the endpoint's timeout. */
  timeoutMs?: number;
  /** Extra engine parameters sent verbatim (e.g. vLLM `min_tokens`). */
  extraBody?: Record<string, unknown>;
  /** The engine's scheduling priority (vLLM, SGLang `priority`; activities/engine-priority.ts). */
  priority?: number;
}

export interface CompletionRequest extends SamplingOptions {
  prompt: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest extends SamplingOptions {
  messages: ChatMessage[];
  /** OpenAI structured output: `{ type: 'json_object' }` or a json_schema format. */
  responseFormat?: Record<string, unknown>;
}

export interface CompletionResult {
  text: string;
  /** 'stop' (a stop string or EOS), 'length' (max tokens), or what the engine said. */
  finishReason: string;
  /** The stop string that ended generation, when the engine says (vLLM `stop_reason`). */
  stopString?: string;
  usage: TokenUsage;
  model: string;
  latencyMs: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Called with each text delta; when given, the call streams. */
  onDelta?: (delta: string, textSoFar: string) => void;
}

/** Why a call failed, and whether retrying the same call can help. */
export class ModelCallError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** Server's Retry-After, in milliseconds, for 429/503. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

function engineExtras(engine: EngineKind, opts: SamplingOptions): Record<string, unknown> {
  const extras: Record<string, unknown> = {};
  if (opts.includeStopString) {
    if (engine === 'vllm') extras.include_stop_str_in_output = true;
    if (engine === 'sglang') extras.no_stop_trim = true;
  }
  if (opts.priority !== undefined) extras.priority = opts.priority;
  return { ...extras, ...(opts.extraBody ?? {}) };
}

/** The server's Retry-After (or retry-after-ms) in milliseconds, read through a header getter. */
function parseRetryAfter(header: (name: string) => string | null | undefined): number | undefined {
  const value = header('retry-after-ms') ?? undefined;
  if (value && Number.isFinite(Number(value))) return Number(value);
  const seconds = header('retry-after');
  if (!seconds) return undefined;
  if (Number.isFinite(Number(seconds))) return Number(seconds) * 1000;
  const at = Date.parse(seconds);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Whether an engine's error status may pass on a retry (a timeout, a conflict, overload, its own failure). */
const retryableStatus = (status: number | undefined) =>
  status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * Our own per-call deadline combined with the caller's signal: which one fired tells a timeout
 * (retryable) from a cancellation (final), independent of how the fetch implementation words it.
 */
function callSignal(
  timeoutMs: number,
  caller?: AbortSignal,
): { signal: AbortSignal; timedOut: () => boolean } {
  const deadline = AbortSignal.timeout(timeoutMs);
  return {
    signal: caller ? AbortSignal.any([caller, deadline]) : deadline,
    timedOut: () => deadline.aborted,
  };
}

/** Maps the SDK's errors to retryable (timeouts, connection errors, 408/409/429/5xx) or final ones. */
export function classifyError(err: unknown, baseUrl: string, timedOut = false): ModelCallError {
  if (err instanceof ModelCallError) return err;
  if (timedOut) return new ModelCallError(`call to ${baseUrl} timed out`, true);
  if (err instanceof APIUserAbortError) return new ModelCallError(`call to ${baseUrl} was cancelled`, false);
  if (err instanceof APIConnectionTimeoutError)
    return new ModelCallError(`call to ${baseUrl} timed out`, true);
  if (err instanceof APIConnectionError) {
    return new ModelCallError(`cannot reach the engine at ${baseUrl}: ${networkErrorMessage(err)}`, true);
  }
  if (err instanceof APIError) {
    const status = err.status as number | undefined;
    const headers = err.headers as Headers | undefined;
    return new ModelCallError(
      `engine at ${baseUrl} answered ${status ?? '?'}: ${err.message}`,
      retryableStatus(status),
      status,
      parseRetryAfter((name) => headers?.get(name)),
    );
  }
  return new ModelCallError(`call to ${baseUrl} failed: ${(err as Error)?.message ?? String(err)}`, true);
}

interface RawUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

/** An unstreamed completion reply, as OpenAI-compatible engines send it (vLLM adds `stop_reason`). */
interface RawCompletion {
  model?: string | null;
  choices?: { text?: string | null; finish_reason?: string | null; stop_reason?: unknown }[] | null;
  usage?: RawUsage | null;
}

function toUsage(raw: RawUsage | null | undefined): TokenUsage {
  const usage: TokenUsage = {
    promptTokens: raw?.prompt_tokens ?? 0,
    completionTokens: raw?.completion_tokens ?? 0,
  };
  const cached = raw?.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') usage.cachedPromptTokens = cached;
  return usage;
}

/** The first choice of an unstreamed completion reply, read into a result. */
function completionOf(res: RawCompletion, endpoint: EngineEndpoint, started: number): CompletionResult {
  const choice = res.choices?.[0];
  if (!choice) throw new ModelCallError(`engine at ${endpoint.baseUrl} returned no choices`, true);
  const sr = choice.stop_reason;
  return {
    text: choice.text ?? '',
    finishReason: choice.finish_reason ?? 'unknown',
    stopString: typeof sr === 'string' ? sr : undefined,
    usage: toUsage(res.usage),
    model: res.model ?? endpoint.model,
    latencyMs: Date.now() - started,
  };
}

export interface ModelClientOptions {
  /**
   * Unstreamed completions skip the `openai` client: one JSON POST over the pooled transport, its
   * reply read whole (io/engine-transport.ts postEngineJson). The client's request building,
   * logging and Response wrapping cost more CPU than the call itself on a fast engine, and an llm
   * worker starts a round's calls one after another on one event loop (issue 28). Errors read the
   * same either way. Default: on when no fetch is given (a given fetch is always used); never for
   * a base URL with a query string.
   */
  directCompletions?: boolean;
}

/** A thin client for one OpenAI-compatible engine; no retries of its own (Temporal retries activities). */
export class ModelClient {
  private readonly openai: OpenAI;
  private readonly direct: boolean;
  private readonly completionsUrl: string;
  private readonly directHeaders: Record<string, string>;

  /** `fetchImpl` replaces the transport (tests, telemetry); the default is the pooled keep-alive agent. */
  constructor(
    readonly endpoint: EngineEndpoint,
    fetchImpl?: typeof fetch,
    options: ModelClientOptions = {},
  ) {
    // A base URL with a query (some hosted gateways) is left to the client, which merges queries.
    this.direct = (options.directCompletions ?? fetchImpl === undefined) && !endpoint.baseUrl.includes('?');
    this.completionsUrl = `${endpoint.baseUrl.replace(/\/+$/, '')}/completions`;
    this.directHeaders = {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${endpoint.apiKey ?? 'unused'}`,
    };
    this.openai = new OpenAI({
      baseURL: endpoint.baseUrl,
      // Local engines accept any key; the SDK insists on a non-empty one.
      apiKey: endpoint.apiKey ?? 'unused',
      maxRetries: 0,
      timeout: endpoint.timeoutMs,
      fetch: withEngineErrorBodies(fetchImpl ?? pooledEngineFetch),
    });
  }

  /** Raw text completion: the SPRINT loop needs the exact prompt, so no chat template is applied here. */
  async complete(req: CompletionRequest, options: CallOptions = {}): Promise<CompletionResult> {
    const started = Date.now();
    const body = {
      model: this.endpoint.model,
      prompt: req.prompt,
      max_tokens: req.maxTokens,
      ...(req.stop?.length ? { stop: req.stop } : {}),
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      ...(req.topP !== undefined ? { top_p: req.topP } : {}),
      ...(req.seed !== undefined ? { seed: req.seed } : {}),
      ...engineExtras(this.endpoint.engine, req),
    };
    const deadline = callSignal(req.timeoutMs ?? this.endpoint.timeoutMs, options.signal);
    // The SDK's own timeout stays out of the way (ours is authoritative); it would only retry-less fail.
    const requestOptions = { signal: deadline.signal, timeout: 2 ** 31 - 1 };
    try {
      if (options.onDelta) {
        const stream = await this.openai.completions.create(
          { ...body, stream: true, stream_options: { include_usage: true } },
          requestOptions,
        );
        let text = '';
        let finishReason = 'unknown';
        let stopString: string | undefined;
        let usage: RawUsage | undefined;
        let model = this.endpoint.model;
        for await (const chunk of stream) {
          model = chunk.model ?? model;
          if (chunk.usage) usage = chunk.usage;
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          if (choice.text) {
            text += choice.text;
            options.onDelta(choice.text, text);
          }
          if (choice.finish_reason) finishReason = choice.finish_reason;
          const sr = (choice as { stop_reason?: unknown }).stop_reason;
          if (typeof sr === 'string') stopString = sr;
        }
        return {
          text,
          finishReason,
          stopString,
          usage: toUsage(usage),
          model,
          latencyMs: Date.now() - started,
        };
      }
      if (this.direct) return await this.completeDirect(body, deadline, options.signal, started);
      const res = await this.openai.completions.create({ ...body, stream: false }, requestOptions);
      return completionOf(res, this.endpoint, started);
    } catch (err) {
      throw classifyError(err, this.endpoint.baseUrl, deadline.timedOut());
    }
  }

  /** An unstreamed completion without the `openai` client (options.directCompletions). */
  private async completeDirect(
    body: Record<string, unknown>,
    deadline: { signal: AbortSignal; timedOut: () => boolean },
    caller: AbortSignal | undefined,
    started: number,
  ): Promise<CompletionResult> {
    const { baseUrl } = this.endpoint;
    let reply: EngineReply;
    try {
      reply = await postEngineJson(
        this.completionsUrl,
        JSON.stringify({ ...body, stream: false }),
        this.directHeaders,
        deadline.signal,
      );
    } catch (err) {
      if (deadline.timedOut()) throw new ModelCallError(`call to ${baseUrl} timed out`, true);
      if (caller?.aborted) throw new ModelCallError(`call to ${baseUrl} was cancelled`, false);
      // Worded as the openai client words it ("Connection error." and the reason), so a caller
      // cannot tell the two paths apart.
      const connection = new Error('Connection error.', { cause: err });
      throw new ModelCallError(
        `cannot reach the engine at ${baseUrl}: ${networkErrorMessage(connection)}`,
        true,
      );
    }
    const { status } = reply;
    if (status < 200 || status >= 300) {
      const header = (name: string) => {
        const v = reply.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      throw new ModelCallError(
        `engine at ${baseUrl} answered ${status}: ${engineErrorText(status, reply.text)}`,
        retryableStatus(status),
        status,
        parseRetryAfter(header),
      );
    }
    let res: RawCompletion;
    try {
      res = JSON.parse(reply.text) as RawCompletion;
    } catch {
      throw new ModelCallError(`engine at ${baseUrl} answered ${status} with a body that is not JSON`, true);
    }
    return completionOf(res, this.endpoint, started);
  }

  /** Chat completion, for extraction-style calls (structured output) against hosted APIs. */
  async chat(req: ChatRequest, options: CallOptions = {}): Promise<CompletionResult> {
    const started = Date.now();
    const deadline = callSignal(req.timeoutMs ?? this.endpoint.timeoutMs, options.signal);
    try {
      const res = await this.openai.chat.completions.create(
        {
          model: this.endpoint.model,
          messages: req.messages,
          max_completion_tokens: req.maxTokens,
          ...(req.stop?.length ? { stop: req.stop } : {}),
          ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
          ...(req.topP !== undefined ? { top_p: req.topP } : {}),
          ...(req.seed !== undefined ? { seed: req.seed } : {}),
          ...(req.responseFormat ? { response_format: req.responseFormat as never } : {}),
          ...engineExtras(this.endpoint.engine, req),
          stream: false,
        },
        { signal: deadline.signal, timeout: 2 ** 31 - 1 },
      );
      const choice = res.choices[0];
      if (!choice) throw new ModelCallError(`engine at ${this.endpoint.baseUrl} returned no choices`, true);
      return {
        text: choice.message.content ?? '',
        finishReason: choice.finish_reason ?? 'unknown',
        usage: toUsage(res.usage),
        model: res.model ?? this.endpoint.model,
        latencyMs: Date.now() - started,
      };
    } catch (err) {
      throw classifyError(err, this.endpoint.baseUrl, deadline.timedOut());
    }
  }

  /** Lists served models; used by `sprint status` as a health probe. */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const page = await this.openai.models.list({ signal, timeout: 5000 });
      return page.data.map((m) => m.id);
    } catch (err) {
      throw classifyError(err, this.endpoint.baseUrl);
    }
  }
}
