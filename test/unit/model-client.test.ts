import { ModelCallError, ModelClient } from '../../io/model-client';
import { LoopbackModelServer } from '../helpers/loopback-model-server';

describe('ModelClient against the loopback engine double', () => {
  const server = new LoopbackModelServer();
  let client: ModelClient;

  beforeAll(async () => {
    await server.start();
    client = new ModelClient({
      baseUrl: server.baseUrl,
      model: 'loopback-model',
      engine: 'vllm',
      timeoutMs: 5000,
    });
  });
  afterAll(() => server.stop());

  it('sends the exact prompt, stop strings and sampling options, and returns usage', async () => {
    server.enqueue({ text: 'plan text </Plan_1> trailing', cachedPromptTokens: 3 });
    const res = await client.complete({
      prompt: '<Question>\n2+2\n</Question>\n<think>\n',
      maxTokens: 64,
      stop: ['</Plan_', '</Final_answer>'],
      temperature: 0.6,
      topP: 0.95,
      seed: 7,
    });
    const body = server.requests.at(-1)!.body;
    expect(body).toMatchObject({
      prompt: '<Question>\n2+2\n</Question>\n<think>\n',
      max_tokens: 64,
      stop: ['</Plan_', '</Final_answer>'],
      temperature: 0.6,
      top_p: 0.95,
      seed: 7,
    });
    expect(res.text).toBe('plan text ');
    expect(res.stopString).toBe('</Plan_');
    expect(res.finishReason).toBe('stop');
    expect(res.usage).toEqual({ promptTokens: 4, completionTokens: 2, cachedPromptTokens: 3 });
  });

  it('maps includeStopString to the engine-specific flag', async () => {
    server.enqueue({ text: 'x' });
    await client.complete({ prompt: 'p', maxTokens: 4, includeStopString: true });
    expect(server.requests.at(-1)!.body.include_stop_str_in_output).toBe(true);
    const sglang = new ModelClient({
      baseUrl: server.baseUrl,
      model: 'm',
      engine: 'sglang',
      timeoutMs: 5000,
    });
    server.enqueue({ text: 'x' });
    await sglang.complete({ prompt: 'p', maxTokens: 4, includeStopString: true });
    expect(server.requests.at(-1)!.body.no_stop_trim).toBe(true);
  });

  it('streams deltas and still reports usage', async () => {
    server.enqueue({ text: 'one two three four' });
    const deltas: string[] = [];
    const res = await client.complete({ prompt: 'p', maxTokens: 10 }, { onDelta: (d) => deltas.push(d) });
    expect(deltas.join('')).toBe('one two three four');
    expect(deltas.length).toBeGreaterThan(1);
    expect(res.text).toBe('one two three four');
    expect(res.usage.completionTokens).toBe(4);
  });

  it('times out per call, as a retryable error', async () => {
    server.enqueue({ text: 'late', delayMs: 1500 });
    const err = await client.complete({ prompt: 'p', maxTokens: 4, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect((err as ModelCallError).retryable).toBe(true);
    expect((err as ModelCallError).message).toMatch(/timed out/);
  });

  it('classifies 500 and 429 (with Retry-After) as retryable, 400 as final', async () => {
    server.enqueue({ status: 500, text: 'boom' });
    const e500 = (await client
      .complete({ prompt: 'p', maxTokens: 4 })
      .catch((e: unknown) => e)) as ModelCallError;
    expect([e500.retryable, e500.status]).toEqual([true, 500]);
    server.enqueue({ status: 429, text: 'slow down', headers: { 'retry-after': '2' } });
    const e429 = (await client
      .complete({ prompt: 'p', maxTokens: 4 })
      .catch((e: unknown) => e)) as ModelCallError;
    expect([e429.retryable, e429.status, e429.retryAfterMs]).toEqual([true, 429, 2000]);
    server.enqueue({ status: 400, text: 'prompt too long' });
    const e400 = (await client
      .complete({ prompt: 'p', maxTokens: 4 })
      .catch((e: unknown) => e)) as ModelCallError;
    expect([e400.retryable, e400.status]).toEqual([false, 400]);
    expect(e400.message).toMatch(/prompt too long/);
  });

  it('says which engine could not be reached', async () => {
    const dead = new ModelClient({
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'm',
      engine: 'generic',
      timeoutMs: 2000,
    });
    const err = (await dead
      .complete({ prompt: 'p', maxTokens: 1 })
      .catch((e: unknown) => e)) as ModelCallError;
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/cannot reach the engine at http:\/\/127\.0\.0\.1:9\/v1/);
  });

  it('aborts the HTTP request when the signal fires', async () => {
    server.enqueue({ text: 'never', delayMs: 3000 });
    const ac = new AbortController();
    const pending = client.complete({ prompt: 'abort me', maxTokens: 4 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const err = (await pending.catch((e: unknown) => e)) as ModelCallError;
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/cancelled/);
  });

  it('runs chat completions with a response format', async () => {
    server.enqueue({ text: '{"ok":true}' });
    const res = await client.chat({
      messages: [{ role: 'user', content: 'json please' }],
      maxTokens: 20,
      responseFormat: { type: 'json_object' },
    });
    expect(res.text).toBe('{"ok":true}');
    expect(server.requests.at(-1)!.body.response_format).toEqual({ type: 'json_object' });
  });
});
