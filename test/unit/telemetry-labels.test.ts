import type { AddressInfo } from 'node:net';
import type { Context as ActivityContext } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowInfo } from '@temporalio/workflow';
import Fastify from 'fastify';
import fc from 'fast-check';
import { ErrorType } from '../../core/errors';
import { engineErrorKind, httpStatusLabel, modelCallRole } from '../../core/telemetry/labels';
import { metricsRegistry } from '../../io/telemetry/metrics';
import { recordHttpMetrics } from '../../serve/telemetry';
import { ActivityMetricsInterceptor } from '../../workers/telemetry/activity-metrics';
import { sessionMetricsSinks } from '../../workers/telemetry/sinks';

/*
 * Label sets stay bounded: 100 distinct questions (and ids, paths, profiles) through every way a
 * figure is recorded add no series beyond the closed sets, and no label value ever carries them.
 */

/** Every label value of sprint's series, per metric name. */
async function series(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const m of await metricsRegistry.getMetricsAsJSON()) {
    if (
      !m.name.startsWith('sprint_') ||
      m.name.startsWith('sprint_process') ||
      m.name.startsWith('sprint_nodejs')
    )
      continue;
    // A histogram's buckets differ only by `le`: one series each.
    const sets = m.values.map((v) => {
      const { le: _le, ...labels } = v.labels as Record<string, unknown>;
      return JSON.stringify(labels);
    });
    out.set(m.name, [...new Set(sets)]);
  }
  return out;
}

const questions = Array.from(
  { length: 100 },
  (_, i) => `question ${i}: what is ${i} squared? id-${i * 7919}`,
);

function activityContext(activityType: string, attempt = 1): ActivityContext {
  return {
    info: { activityType, attempt },
    cancellationSignal: new AbortController().signal,
  } as unknown as ActivityContext;
}

async function recordEverything(question: string, i: number): Promise<void> {
  // A session, as the workflow sink reports it (a workflow could send anything as profile).
  const sinks = sessionMetricsSinks().sessionMetrics;
  const info = { workflowId: `wf-${question}`, workflowType: 'sessionWorkflow' } as WorkflowInfo;
  await sinks.started.fn(info, 'sprint', i % 2 ? 'platform' : question);
  await sinks.ended.fn(info, 'sprint', 'platform', i % 3 ? 'completed' : 'failed', {
    wallMs: 1000 + i,
    sequentialTokens: 100 + i,
    generatedTokens: 300 + i,
    rounds: 1 + (i % 4),
    promptsPerRound: [i % 5],
  });
  // Model calls whose inputs carry the question, some failing as an engine would.
  for (const [type, fails] of [
    ['sprintPlan', false],
    ['sprintExecute', i % 4 === 0],
  ] as const) {
    const interceptor = new ActivityMetricsInterceptor(activityContext(type, 1 + (i % 2)), {
      pool: 'local',
      replica: 'r0',
    });
    const next = async () => {
      if (fails)
        throw ApplicationFailure.create({
          message: `engine at http://x answered 429: too many (${question})`,
          type: ErrorType.ModelCallRetryable,
        });
      return { usage: { promptTokens: 10, completionTokens: 5 + i } };
    };
    await interceptor
      .execute({ args: [{ prompt: question, planTry: 1 + (i % 2) }], headers: {} }, next)
      .catch(() => undefined);
  }
}

describe('metric labels', () => {
  it('stay within their closed sets under 100 distinct questions, ids and paths', async () => {
    const app = Fastify();
    recordHttpMetrics(app);
    app.get('/v1/sessions/:id', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    await recordEverything(questions[0]!, 0);
    const afterOne = await series();
    for (const [i, q] of questions.entries()) {
      await recordEverything(q, i);
      await (await fetch(`${base}/v1/sessions/${encodeURIComponent(q)}`)).text();
      await (await fetch(`${base}/${encodeURIComponent(q)}`)).text();
    }
    await app.close();
    const afterAll = await series();

    // Few series per metric, whatever passed through; no value carries a question or an id.
    for (const [name, labelSets] of afterAll) {
      expect([name, labelSets.length <= 12]).toEqual([name, true]);
      for (const set of labelSets) expect(set).not.toMatch(/question|id-|wf-/);
    }
    expect(afterAll.get('sprint_model_call_completion_tokens')!.sort()).toEqual([
      JSON.stringify({ pool: 'local', replica: 'r0', role: 'executor' }),
      JSON.stringify({ pool: 'local', replica: 'r0', role: 'planner' }),
    ]);
    // Recording 100 more sessions and calls added no session or model-call series beyond the
    // outcomes, attempts and errors the first one had not met (bounded by the closed sets).
    expect(new Set(afterAll.get('sprint_sessions_started_total')).size).toBeLessThanOrEqual(
      new Set(afterOne.get('sprint_sessions_started_total')).size + 1,
    );
    const routes = new Set(
      afterAll.get('sprint_http_requests_total')!.map((l) => (JSON.parse(l) as { route: string }).route),
    );
    expect([...routes].sort()).toEqual(['/v1/sessions/:id', 'unmatched']);
  });

  it('name engine failures by a few kinds and statuses by code or class', () => {
    expect(engineErrorKind('engine at http://e answered 429: slow down')).toBe('rate_limited');
    expect(engineErrorKind('engine at http://e answered 503: x')).toBe('server_error');
    expect(engineErrorKind('engine at http://e answered 400: x')).toBe('client_error');
    expect(engineErrorKind('call to http://e timed out')).toBe('timeout');
    expect(engineErrorKind('cannot reach the engine at http://e: connect ECONNREFUSED')).toBe('connection');
    expect(httpStatusLabel(429)).toBe('429');
    expect(httpStatusLabel(418)).toBe('4xx');
    expect(modelCallRole('sprintPlan')).toBe('planner');
    expect(modelCallRole('toString')).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 100, max: 599 }), (message, status) => {
        expect([
          'timeout',
          'connection',
          'rate_limited',
          'server_error',
          'client_error',
          'cancelled',
          'other',
        ]).toContain(engineErrorKind(message, status));
        expect(httpStatusLabel(status)).toMatch(/^(\d{3}|[1-5]xx)$/);
      }),
    );
  });
});
