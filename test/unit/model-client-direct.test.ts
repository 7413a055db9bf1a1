import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../infra/temporal/dev-server';
import { closeEngineAgents } from '../../io/engine-transport';
import { ModelCallError, ModelClient, type CompletionResult } from '../../io/model-client';

/*
 * Issue 28: unstreamed completions skip the `openai` client (ModelClient options.directCompletions).
 * The two paths must not be told apart by their callers: for each way an engine can answer, the
 * direct call and the same call through the client give the same result, or the same error
 * (message, retryable, status, retry delay).
 */

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const completion = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'cmpl-1',
    object: 'text_completion',
    model: 'served-name',
    choices: [{ index: 0, text: 'the reply', finish_reason: 'stop', stop_reason: '</execution_', ...extra }],
    usage: { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 8 } },
  });

/** How an engine may answer, by name. */
const ANSWERS: Record<string, Answer> = {
  'a completion with vLLM stop_reason and cached tokens': {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: completion(),
  },
  'a completion cut at max tokens, no stop_reason': {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: completion({ finish_reason: 'length', stop_reason: null }),
  },
  'no choices': { status: 200, headers: { 'content-type': 'application/json' }, body: '{"choices":[]}' },
  'an OpenAI-shaped 400': {
    status: 400,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { message: 'prompt is too long', type: 'BadRequestError', code: 400 } }),
  },
  "SGLang's top-level 404": {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      object: 'error',
      message: 'The model `x` does not exist.',
      type: 'NotFoundError',
      code: 404,
    }),
  },
  'a 429 with retry-after seconds': { status: 429, headers: { 'retry-after': '3' }, body: 'slow down' },
  'a 503 with retry-after-ms': {
    status: 503,
    headers: { 'retry-after-ms': '1500', 'content-type': 'application/json' },
    body: '{"error":{"message":"overloaded"}}',
  },
  'a 500 without a body': { status: 500, body: '' },
  'a 401 with JSON that is not an error': {
    status: 401,
    headers: { 'content-type': 'application/json' },
    body: '{"detail":"no"}',
  },
};

function engine() {
  let answer: Answer = { status: 500, body: '' };
  const bodies: unknown[] = [];
  const auth: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      auth.push(req.headers.authorization);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    });
  });
  return {
    bodies,
    auth,
    answer: (a: Answer) => (answer = a),
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`),
        ),
      ),
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a caller can see of a call: its result without the latency, or its error's fields. */
async function outcome(client: ModelClient) {
  try {
    const r: Partial<CompletionResult> = await client.complete({
      prompt: 'p',
      maxTokens: 8,
      stop: ['</execution_'],
      temperature: 0.6,
      seed: 3,
    });
    delete r.latencyMs;
    return { result: r };
  } catch (err) {
    expect(err).toBeInstanceOf(ModelCallError);
    const e = err as ModelCallError;
    return {
      error: { message: e.message, retryable: e.retryable, status: e.status, retryAfterMs: e.retryAfterMs },
    };
  }
}

describe('ModelClient: unstreamed completions with and without the openai client', () => {
  const fake = engine();
  let baseUrl: string;
  const clients = () => {
    const endpoint = { baseUrl, model: 'm', engine: 'vllm' as const, apiKey: 'k-123', timeoutMs: 5000 };
    return {
      direct: new ModelClient(endpoint),
      viaOpenai: new ModelClient(endpoint, undefined, { directCompletions: false }),
    };
  };

  beforeAll(async () => {
    baseUrl = await fake.start();
  });
  afterAll(async () => {
    await closeEngineAgents();
    await fake.stop();
  });

  it.each(Object.keys(ANSWERS))('%s: the same outcome either way', async (name) => {
    fake.answer(ANSWERS[name]!);
    const { direct, viaOpenai } = clients();
    const from = fake.bodies.length;
    const a = await outcome(direct);
    const b = await outcome(viaOpenai);
    expect(a).toEqual(b);
    // The same request body and key reached the engine.
    expect(fake.bodies.slice(from)).toHaveLength(2);
    expect(fake.bodies[from]).toEqual(fake.bodies[from + 1]);
    expect(fake.auth.slice(from)).toEqual(['Bearer k-123', 'Bearer k-123']);
  });

  it('an engine that is not listening: the same error either way', async () => {
    // A port bound and released: nothing listens there.
    const port = await freePort();
    const endpoint = {
      baseUrl: `http://127.0.0.1:${port}/v1`,
      model: 'm',
      engine: 'vllm' as const,
      timeoutMs: 5000,
    };
    const a = await outcome(new ModelClient(endpoint));
    const b = await outcome(new ModelClient(endpoint, undefined, { directCompletions: false }));
    expect(a).toEqual(b);
    expect(a.error?.message).toBe(
      `cannot reach the engine at http://127.0.0.1:${port}/v1: Connection error. (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    expect(a.error?.retryable).toBe(true);
  });

  it('reads the fields a session relies on from a completion', async () => {
    fake.answer(ANSWERS['a completion with vLLM stop_reason and cached tokens']!);
    const { result } = await outcome(clients().direct);
    expect(result).toEqual({
      text: 'the reply',
      finishReason: 'stop',
      stopString: '</execution_',
      usage: { promptTokens: 12, completionTokens: 3, cachedPromptTokens: 8 },
      model: 'served-name',
    });
    expect(fake.bodies.at(-1)).toEqual({
      model: 'm',
      prompt: 'p',
      max_tokens: 8,
      stop: ['</execution_'],
      temperature: 0.6,
      seed: 3,
      stream: false,
    });
  });

  it('words errors as the client does, with the reason the engine gave', async () => {
    fake.answer(ANSWERS["SGLang's top-level 404"]!);
    const { error } = await outcome(clients().direct);
    expect(error).toEqual({
      message: `engine at ${baseUrl} answered 404: 404 The model \`x\` does not exist.`,
      retryable: false,
      status: 404,
      retryAfterMs: undefined,
    });
  });

  it('is the default only when no fetch is given', async () => {
    fake.answer(ANSWERS['a completion with vLLM stop_reason and cached tokens']!);
    let fetched = 0;
    const counting: typeof fetch = (input, init) => {
      fetched += 1;
      return fetch(input, init);
    };
    const endpoint = { baseUrl, model: 'm', engine: 'vllm' as const, timeoutMs: 5000 };
    await new ModelClient(endpoint, counting).complete({ prompt: 'p', maxTokens: 1 });
    expect(fetched).toBe(1);
    await new ModelClient(endpoint, counting, { directCompletions: true }).complete({
      prompt: 'p',
      maxTokens: 1,
    });
    expect(fetched).toBe(1);
    // A streamed call always goes through the client and its fetch.
    await new ModelClient(endpoint, counting, { directCompletions: true })
      .complete({ prompt: 'p', maxTokens: 1 }, { onDelta: () => undefined })
      .catch(() => undefined);
    expect(fetched).toBe(2);
  });
});
