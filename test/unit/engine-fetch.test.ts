import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../io/telemetry/tracing';
import { engineFetch } from '../../activities/telemetry/engine-fetch';

/*
 * The engine calls' client spans: a whole reply is read once and handed on intact, its span ending
 * with it and naming the completion's id; a streamed reply flows through chunk by chunk and its span
 * ends with the last one. The engine is a stand-in fetch (no activity around: no role).
 */
describe('engine fetch spans', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    startTracing({ serviceName: 'engine-fetch-test' }, [new SimpleSpanProcessor(exporter)]);
  });
  beforeEach(() => exporter.reset());

  const target = { pool: 'main', replica: 'r1' };
  const url = 'http://engine.test:8000/v1/completions';

  it('a whole reply: the caller reads the same body; the span has the completion id and status', async () => {
    const reply = JSON.stringify({ id: 'cmpl-42', choices: [{ text: 'x'.repeat(5000) }] });
    const inner = (() => Promise.resolve(new Response(reply, { status: 200 }))) as typeof fetch;
    const res = await engineFetch(target, inner)(url, { method: 'POST', body: '{"stream":false}' });
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('engine POST /v1/completions');
    expect(span?.attributes).toMatchObject({
      'engine.request_id': 'cmpl-42',
      'http.response.status_code': 200,
      'sprint.replica': 'r1',
      'sprint.streamed': false,
    });
    expect(await res.text()).toBe(reply);
    expect(res.status).toBe(200);
  });

  it("an engine's x-request-id wins; an error status marks the span", async () => {
    const inner = (() =>
      Promise.resolve(
        new Response('{"id":"cmpl-1","error":"busy"}', { status: 503, headers: { 'x-request-id': 'req-7' } }),
      )) as typeof fetch;
    const res = await engineFetch(target, inner)(url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
    expect(res.headers.get('x-request-id')).toBe('req-7');
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes['engine.request_id']).toBe('req-7');
    expect(span?.status.code).toBe(2);
  });

  it('a streamed reply: chunks pass as they come, the span ends with the last', async () => {
    const chunks = ['data: {"id":"cmpl-9","choices":[]}\n\n', 'data: [DONE]\n\n'];
    let push: ((s: string) => void) | undefined;
    let close: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (s) => controller.enqueue(new TextEncoder().encode(s));
        close = () => controller.close();
      },
    });
    const inner = (() => Promise.resolve(new Response(body, { status: 200 }))) as typeof fetch;
    const res = await engineFetch(target, inner)(url, { method: 'POST', body: '{"stream": true}' });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    push!(chunks[0]!);
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(chunks[0]);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    push!(chunks[1]!);
    close!();
    await reader.read();
    expect((await reader.read()).done).toBe(true);
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes).toMatchObject({ 'engine.request_id': 'cmpl-9', 'sprint.streamed': true });
  });
});
