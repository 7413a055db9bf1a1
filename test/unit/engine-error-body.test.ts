import { withEngineErrorBodies } from '../../io/engine-error-body';
import { ModelClient } from '../../io/model-client';

/** An engine double answering every request with one fixed response. */
const answering =
  (status: number, body: string, contentType = 'application/json'): typeof fetch =>
  () =>
    Promise.resolve(new Response(body, { status, headers: { 'content-type': contentType } }));

const client = (fetchImpl: typeof fetch) =>
  new ModelClient(
    { baseUrl: 'http://engine:8000/v1', model: 'sprint', engine: 'vllm', timeoutMs: 5_000 },
    fetchImpl,
  );

const completionError = (fetchImpl: typeof fetch) =>
  client(fetchImpl)
    .complete({ prompt: 'p', maxTokens: 4 })
    .then(
      () => undefined,
      (err: Error) => err.message,
    );

describe('engine error bodies', () => {
  it("reads vLLM's and SGLang's top-level error body (the openai client alone says 'no body')", async () => {
    const vllm404 = JSON.stringify({
      object: 'error',
      message: 'The model `sprint` does not exist.',
      type: 'NotFoundError',
      param: null,
      code: 404,
    });
    expect(await completionError(answering(404, vllm404))).toBe(
      'engine at http://engine:8000/v1 answered 404: 404 The model `sprint` does not exist.',
    );
  });

  it('leaves OpenAI-shaped and plain-text error bodies as the client reads them', async () => {
    const openaiShaped = JSON.stringify({ error: { message: 'context length exceeded', type: 'invalid' } });
    expect(await completionError(answering(400, openaiShaped))).toBe(
      'engine at http://engine:8000/v1 answered 400: 400 context length exceeded',
    );
    expect(await completionError(answering(502, 'Bad Gateway', 'text/plain'))).toBe(
      'engine at http://engine:8000/v1 answered 502: 502 Bad Gateway',
    );
  });

  it('passes successful responses through untouched', async () => {
    const ok = new Response('{"x":1}', { status: 200 });
    const wrapped = withEngineErrorBodies(() => Promise.resolve(ok));
    expect(await wrapped('http://engine/v1/models')).toBe(ok);
  });

  it('keeps status, status text and headers of a rewritten error', async () => {
    const wrapped = withEngineErrorBodies(() =>
      Promise.resolve(
        new Response('{"message":"slow down"}', {
          status: 429,
          statusText: 'Too Many Requests',
          headers: { 'retry-after': '3', 'content-length': '23' },
        }),
      ),
    );
    const res = await wrapped('http://engine/v1/completions');
    expect(res.status).toBe(429);
    expect(res.statusText).toBe('Too Many Requests');
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ error: { message: 'slow down' } });
  });
});
