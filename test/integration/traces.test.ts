import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import { spanIdOf } from '../../core/telemetry/trace-context';
import { WORKFLOW_SPAN_SCOPE, type WorkflowSpan } from '../../core/telemetry/workflow-span';
import { startTracing } from '../../io/telemetry/tracing';
import { buildServeApp, defaultServeOptions } from '../../serve/app';
import { tracingClientInterceptors } from '../../workers/telemetry/client';
import { sessionMetricsSinks } from '../../workers/telemetry/sinks';
import { workflowSpanSink } from '../../workers/telemetry/workflow-spans';
import { PROGRESS_QUERY } from '../../core/session-types';
import { progressQuery } from '../../workflows/session/handlers';
import { SPRINT_TRACER_PATCH } from '../../workflows/telemetry';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { expectSessionCallSpans } from '../helpers/session-trace';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { waitFor } from '../helpers/workers';

/*
 * One request to sprint serve is one trace: the HTTP request's span, the workflow it starts, every
 * activity of the session and each engine call under its activity, with the engine's request id.
 * Spans are kept in memory (the OTLP exporter is the same processor chain, exporting elsewhere).
 */
const KEY = 'trace-test-key';

describe('traces: from the HTTP request through the workflow to each engine call', () => {
  const exporter = new InMemorySpanExporter();
  let stack: TestStack | undefined;
  let app: FastifyInstance | undefined;

  beforeAll(async () => {
    // Before the workers and the client: both pick up the process's tracing when they are made.
    startTracing({ serviceName: 'sprint-test' }, [new SimpleSpanProcessor(exporter)]);
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({
        models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } },
        session: { profile: 'platform', retry: { initialIntervalMs: 100, maximumIntervalMs: 500 } },
      }),
      workers: ['all'],
    });
    stack.engine.setScript(sprintScript(threeRoundScenario()));
    const client = new Client({ connection: stack.client.connection, ...tracingClientInterceptors() });
    app = buildServeApp({
      client,
      config: stack.config,
      apiKeys: [KEY],
      options: { ...defaultServeOptions, pollMs: 100, log: () => undefined, uiLink: (id) => id },
    });
  });

  afterAll(async () => {
    await app?.close();
    await stack?.close();
  });

  it('parents every span of a session to the request that asked for it', async () => {
    const address = await app!.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'sprint',
        messages: [{ role: 'user', content: 'What is 1^2 + 2^2 + 3^2 + 4^2?' }],
      }),
    });
    expect(res.status).toBe(200);
    await res.text();
    // The request's span ends when its socket closes, just after the last byte.
    await waitFor(() => exporter.getFinishedSpans().some((s) => s.name === 'POST /v1/chat/completions'));

    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'POST /v1/chat/completions');
    expect(request).toBeDefined();
    const trace = spans.filter((s) => s.spanContext().traceId === request!.spanContext().traceId);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const named = (name: string) => trace.filter((s) => s.name === name);

    // The request is the root; the workflow start is its child, the run the start's.
    expect(request!.parentSpanId).toBeUndefined();
    const [start] = named('StartWorkflow:sessionWorkflow');
    expect(parentOf(start!)).toBe(request);
    const [run] = named('RunWorkflow:sessionWorkflow');
    expect(parentOf(run!)).toBe(start);
    // Workflow spans name their run, and carry none of its search attributes or memo.
    for (const span of [run!, ...named('StartActivity:sprintPlan')]) {
      expect(span.attributes.workflowType).toBe('sessionWorkflow');
      expect(typeof span.attributes.runId).toBe('string');
      expect(Object.keys(span.attributes).filter((k) => /searchAttributes|memo/i.test(k))).toEqual([]);
    }
    // Each model call: scheduled by the run, run by a worker, one engine call inside.
    const { engineCalls } = expectSessionCallSpans({ named, parentOf }, run!);
    for (const call of engineCalls) {
      expect(call.attributes['http.response.status_code']).toBe(200);
      expect(call.attributes['sprint.replica']).toBe('r0');
    }
    expect(new Set(engineCalls.map((c) => c.attributes['engine.request_id'])).size).toBe(12);

    // The workflow spans came from sprint's tracer: its patch marker is in the run's history and the
    // run's span has the run's first id.
    const history = await stack!.client.workflow
      .getHandle(String(run!.attributes.workflowId), String(run!.attributes.runId))
      .fetchHistory();
    const patches = (history.events ?? []).flatMap((e) =>
      (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map(
        (p) => (JSON.parse(Buffer.from(p.data!).toString()) as { id: string }).id,
      ),
    );
    expect(patches).toContain(SPRINT_TRACER_PATCH);
    expect(run!.spanContext().spanId).toBe(spanIdOf(String(run!.attributes.runId), 0));
    expect(run!.status.code).toBe(SpanStatusCode.OK);
    expect(run!.instrumentationLibrary.name).toBe(WORKFLOW_SPAN_SCOPE);

    // A query is traced too, under the span of the client that asked (its ids are its own: a
    // query is not in the history).
    const tracedClient = new Client({ connection: stack!.client.connection, ...tracingClientInterceptors() });
    await tracedClient.workflow.getHandle(String(run!.attributes.workflowId)).query(progressQuery);
    const queried = () =>
      exporter.getFinishedSpans().filter((s) => s.name === `HandleQuery:${PROGRESS_QUERY}`);
    await waitFor(() => queried().length > 0);
    const asked = exporter
      .getFinishedSpans()
      .find((s) => s.spanContext().spanId === queried()[0]!.parentSpanId);
    expect(asked?.name).toBe(`QueryWorkflow:${PROGRESS_QUERY}`);

    // A replay of the run (as after a worker's cache eviction) makes the same spans with the same
    // ids and parents: what it schedules after the replay stays under the spans already exported.
    const replayed: WorkflowSpan[] = [];
    await Worker.runReplayHistory(
      {
        workflowBundle: { codePath: process.env.SPRINT_WORKFLOW_BUNDLE! },
        replayName: 'traces-replay',
        sinks: {
          ...sessionMetricsSinks(),
          ...workflowSpanSink(undefined),
          workflowSpans: {
            export: {
              fn: (_info: unknown, spans: WorkflowSpan[]) => {
                replayed.push(...spans);
              },
              callDuringReplay: true,
            },
          },
        },
      },
      history,
    );
    const shape = (spans: { name: string; spanId: string; parentSpanId?: string }[]) =>
      spans
        .map(({ name, spanId, parentSpanId }) => ({ name, spanId, parentSpanId }))
        .sort((a, b) => a.spanId.localeCompare(b.spanId));
    const workflowSpans = trace.filter((s) => s.instrumentationLibrary.name === WORKFLOW_SPAN_SCOPE);
    expect(workflowSpans.length).toBeGreaterThan(12);
    expect(shape(replayed)).toEqual(
      shape(
        workflowSpans.map((s) => ({
          name: s.name,
          spanId: s.spanContext().spanId,
          parentSpanId: s.parentSpanId,
        })),
      ),
    );
  });
});
