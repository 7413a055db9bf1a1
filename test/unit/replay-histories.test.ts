import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Runtime, Worker } from '@temporalio/worker';
import {
  errorsOnlyBundlerLogger,
  workflowInterceptorModules,
  workflowPreloadModules,
} from '../../workers/bundle-options';
import { sessionMetricsSinks } from '../../workers/telemetry/sinks';
import { workflowSpanSink } from '../../workers/telemetry/workflow-spans';
import { workerLogger } from '../../workers/create';
import { readHistoryFile, workflowTypeOf } from '../helpers/history-file';
import { SPRINT_TRACER_PATCH, TRACE_HEADER } from '../../workflows/telemetry';

/*
 * Determinism guard: histories recorded from real runs (test/histories/<release>/, written by
 * `npm run histories:record`) are replayed against the current workflow code. A change that would
 * hand a running workflow's next task to code that decides differently fails here, naming the
 * workflow type and the history file. `current` is this code's own recording; other folders are
 * earlier releases that running workflows may still have been started by.
 */
jest.setTimeout(240_000);

const { EventType } = temporal.api.enums.v1;
const historiesRoot = path.join(__dirname, '..', 'histories');

interface Recorded {
  file: string;
  type: string;
  workflowId: string;
  history: ReturnType<typeof readHistoryFile>;
}

function recorded(release: string): Recorded[] {
  const dir = path.join(historiesRoot, release);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const history = readHistoryFile(path.join(dir, f));
      return {
        file: `${release}/${f}`,
        type: workflowTypeOf(history) ?? '?',
        workflowId: f.replace(/\.json$/, ''),
        history,
      };
    });
}

/** Replays each history; returns one line per failure: type, file and the SDK's reason. */
async function replayFailures(workflowBundle: { code: string }, histories: Recorded[]): Promise<string[]> {
  const byId = new Map(histories.map((h) => [h.workflowId, h]));
  const failures: string[] = [];
  const results = Worker.runReplayHistories(
    {
      workflowBundle,
      replayName: 'determinism-guard',
      // Traced histories call the span sinks too (not on replay, but they must exist).
      sinks: { ...sessionMetricsSinks(), ...workflowSpanSink(undefined) },
    },
    histories.map((h) => ({ workflowId: h.workflowId, history: h.history })),
  );
  for await (const result of results) {
    if (!result.error) continue;
    const h = byId.get(result.workflowId);
    failures.push(
      `${h?.type ?? '?'} (${h?.file ?? result.workflowId}): ${result.error.message.split('\n')[0]}`,
    );
  }
  return failures;
}

const releases = fs
  .readdirSync(historiesRoot, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('determinism guard: recorded histories replay against the current workflow code', () => {
  let code: string;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: workerLogger('ERROR'), shutdownSignals: [] });
    } catch {
      // already installed in this jest worker
    }
    ({ code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      workflowInterceptorModules,
      // As workers bundle it: zod shared, workflow stack traces off (workflows/preload-no-stacks.ts).
      preloadModules: workflowPreloadModules,
      logger: errorsOnlyBundlerLogger,
    }));
  });

  it('the current recording covers every workflow type, a streaming session and a failover', () => {
    const current = recorded('current');
    const types = new Set(current.map((h) => h.type));
    for (const t of [
      'sessionWorkflow',
      'curationWorkflow',
      'trainingWorkflow',
      'evaluationWorkflow',
      'pipelineWorkflow',
    ]) {
      expect({ type: t, recorded: types.has(t) }).toEqual({ type: t, recorded: true });
    }
    const sessions = current.filter((h) => h.type === 'sessionWorkflow').map((h) => h.history.events ?? []);
    const eventTypes = (events: (typeof sessions)[number]) => events.map((e) => e.eventType);
    // Streaming dispatch: the planner signals each closed prompt. Failover: a schedule-to-start timeout.
    expect(
      sessions.some((ev) => eventTypes(ev).includes(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)),
    ).toBe(true);
    expect(sessions.some((ev) => eventTypes(ev).includes(EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT))).toBe(
      true,
    );
  });

  it("traced sessions are recorded under both tracers: sprint's (current) and Temporal's interceptors (traced-f6b0ff8)", () => {
    const patchesOf = (h: Recorded) =>
      (h.history.events ?? []).flatMap((e) =>
        (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map(
          (p) => (JSON.parse(Buffer.from(p.data!).toString()) as { id: string }).id,
        ),
      );
    const isTraced = (h: Recorded) =>
      h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.[TRACE_HEADER] !==
      undefined;
    const tracedIn = (release: string) => recorded(release).filter(isTraced);
    expect(tracedIn('current').map((h) => patchesOf(h).includes(SPRINT_TRACER_PATCH))).toEqual([true]);
    expect(tracedIn('traced-f6b0ff8').map((h) => patchesOf(h).includes(SPRINT_TRACER_PATCH))).toEqual([
      false,
    ]);
  });

  it.each(releases)('histories of %s replay without a nondeterminism error', async (release) => {
    const histories = recorded(release);
    expect(histories.length).toBeGreaterThan(0);
    expect(await replayFailures({ code }, histories)).toEqual([]);
  });

  it('a workflow changed incompatibly fails the replay, named with its history', async () => {
    const { code: broken } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../helpers/nondeterministic-workflows'),
      logger: errorsOnlyBundlerLogger,
    });
    const curation = recorded('current').filter((h) => h.type === 'curationWorkflow');
    const failures = await replayFailures({ code: broken }, curation);
    expect(failures).toHaveLength(curation.length);
    expect(failures[0]).toMatch(/^curationWorkflow \(current\/curationWorkflow--.*\.json\): /);
  });
});
