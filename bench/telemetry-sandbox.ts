/*
 * What tracing costs a session's workflow in its sandbox, alone (issue 26): the same recorded
 * streaming SPRINT session replayed many times, three ways, by Temporal's replayer (the workflow
 * code, its interceptors, the worker's promise hooks; no server, no activity, no network):
 *   - untraced: the traced-f6b0ff8 history with its start's trace header removed;
 *   - sdk: that history as recorded (Temporal's OpenTelemetry workflow interceptors);
 *   - sprint: test/histories/current's traced session (sprint's tracer, workflows/tracing.ts).
 * The three alternate, a batch each in turn; the figure is the process's CPU time (every thread) per
 * replayed session, median over batches. Spans are made as in a live run; only their sink calls
 * are skipped (sinks are not called on replay), so the worker-side export is not in these figures.
 *
 *   npx tsx bench/telemetry-sandbox.ts        (BENCH_REPLAYS per batch, default 30; BENCH_BATCHES, default 5)
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleWorkflowCode, Runtime, Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { readHistoryFile } from '../test/helpers/history-file';
import { errorsOnlyBundlerLogger, workflowBundleOptions } from '../workers/bundle-options';
import { workerLogger } from '../workers/create';
import { sessionMetricsSinks } from '../workers/telemetry/sinks';
import { workflowSpanSink } from '../workers/telemetry/workflow-spans';
import { TRACE_HEADER } from '../workflows/tracing';

const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 30);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 5);
const histories = path.join(__dirname, '..', 'test', 'histories');

const tracedBySdk = path.join(histories, 'traced-f6b0ff8', 'sessionWorkflow--traced-session.json');

/** The recorded session as an untraced client would have started it (activity headers are not replayed). */
function untraced(): temporal.api.history.v1.History {
  const history = readHistoryFile(tracedBySdk);
  delete history.events[0]!.workflowExecutionStartedEventAttributes!.header!.fields![TRACE_HEADER];
  return history;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  Runtime.install({ logger: workerLogger('ERROR'), shutdownSignals: [] });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    ...workflowBundleOptions,
    logger: errorsOnlyBundlerLogger,
  });
  const variants = {
    untraced: untraced(),
    sdk: readHistoryFile(tracedBySdk),
    sprint: readHistoryFile(path.join(histories, 'current', 'sessionWorkflow--traced-session.json')),
  };
  const cpuMs: Record<keyof typeof variants, number[]> = { untraced: [], sdk: [], sprint: [] };
  const replay = async (name: keyof typeof variants, batch: number) => {
    const before = process.cpuUsage();
    const results = Worker.runReplayHistories(
      {
        workflowBundle: { code },
        replayName: `sandbox-${name}-${batch}`,
        sinks: { ...sessionMetricsSinks(), ...workflowSpanSink(undefined) },
      },
      Array.from({ length: REPLAYS }, (_, i) => ({
        workflowId: `${name}-${batch}-${i}`,
        history: variants[name],
      })),
    );
    for await (const r of results) if (r.error) throw r.error;
    const cpu = process.cpuUsage(before);
    cpuMs[name].push((cpu.user + cpu.system) / 1000 / REPLAYS);
  };
  // Warm-up, not counted.
  for (const name of Object.keys(variants) as (keyof typeof variants)[]) await replay(name, -1);
  for (const name of Object.keys(cpuMs) as (keyof typeof variants)[]) cpuMs[name] = [];
  for (let b = 0; b < BATCHES; b++) {
    const order = (['untraced', 'sdk', 'sprint'] as const).map((_, i, a) => a[(i + b) % a.length]!);
    for (const name of order) await replay(name, b);
  }
  const round1 = (x: number) => Math.round(x * 10) / 10;
  for (const [name, xs] of Object.entries(cpuMs))
    console.log(
      `${name.padEnd(9)} CPU ms per replayed session: median ${round1(median(xs))} (batches: ${xs.map(round1).join(', ')})`,
    );
  console.log(
    `load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
