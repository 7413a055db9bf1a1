import {
  ActivityFailure,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  CurationActivities,
  CurationSettings,
  CurationSource,
  FinalizeResult,
  PreparedInput,
  PushResult,
  TraceSummary,
} from '../activities/curation';
import {
  SprintDataset,
  SprintKeptFraction,
  SprintKind,
  SprintProgress,
  SprintStatus,
} from './search-attributes';
import { ErrorType } from '../core/errors';
import { callPriority, type RunPriority } from '../core/priority/mapping';

export interface CurationInput {
  source: CurationSource;
  /** Absolute folder for the dataset (train/test JSONL, stats.json, report.md); on the curation worker's host. */
  outDir: string;
  /** Curation queue (config taskQueues.curation). */
  taskQueue: string;
  settings: CurationSettings;
  limit?: number;
  /** Dataset name for the search attribute (default: the source's label). */
  dataset?: string;
  /** Key of this run's results in the artifact store (default: the workflow id): a rerun with the same key skips finished traces. */
  runKey?: string;
  /** Push the dataset to this Hub dataset repo (OWNER/NAME) when done; the local mirror without a token. */
  pushToHub?: { repo: string; private?: boolean };
  /** Carried over continue-as-new; callers leave it out. */
  state?: CurationState;
  /** Priority of the per-trace model calls (docs/priority.md): batch by default. */
  priority?: RunPriority;
}

export interface CurationCounters {
  done: number;
  kept: number;
  rejected: number;
  failed: number;
  reused: number;
  tokens: number;
  costUsd: number;
}

interface CurationState {
  prepared: PreparedInput;
  next: number;
  counters: CurationCounters;
  runKey: string;
}

export interface CurationProgress extends CurationCounters {
  phase: 'preparing' | 'curating' | 'finalizing' | 'done';
  total: number;
  inFlight: number;
  /** Failure messages of the last failed traces (at most 10). */
  recentFailures: string[];
}

export type CurationResult = FinalizeResult & {
  /** Traces whose result an earlier attempt or run had already written. */
  reused: number;
  runKey: string;
  costUsd: number;
  tokens: number;
  hub?: PushResult;
};

export const curationProgressQuery = defineQuery<CurationProgress>('progress');

function describeSource(src: CurationSource): string {
  switch (src.kind) {
    case 'file':
      return src.path.split('/').pop() ?? src.path;
    case 'hub':
      return `hub ${src.repo}${src.path ? `/${src.path}` : ''}`;
    case 'generate':
      return `${src.count} generated Countdown traces`;
  }
}

const emptyCounters = (): CurationCounters => ({
  done: 0,
  kept: 0,
  rejected: 0,
  failed: 0,
  reused: 0,
  tokens: 0,
  costUsd: 0,
});

/**
 * Traces -> SPRINT dataset. Prepare (chunks in the artifact store), curate each trace with bounded
 * concurrency (each result keyed in the store, so a restarted run skips finished traces), then write
 * the dataset, stats and report. History stays small: chunk refs, small summaries, continue-as-new
 * every `settings.continueAsNewAfter` traces.
 */
export async function curationWorkflow(input: CurationInput): Promise<CurationResult> {
  const s = input.settings;
  const runKey =
    input.state?.runKey ?? input.runKey ?? workflowInfo().workflowId.replace(/[^A-Za-z0-9._-]/g, '_');
  const long = (summary: string) =>
    proxyActivities<CurationActivities>({
      summary,
      taskQueue: input.taskQueue,
      startToCloseTimeout: 30 * 60_000,
      heartbeatTimeout: Math.max(s.heartbeatTimeoutMs, 60_000),
      retry: {
        maximumAttempts: s.maxAttempts,
        nonRetryableErrorTypes: [ErrorType.CurationInput, ErrorType.CurationConfig],
      },
    });
  const perTraceOptions = {
    taskQueue: input.taskQueue,
    startToCloseTimeout: s.traceTimeoutMs,
    heartbeatTimeout: s.heartbeatTimeoutMs,
    retry: {
      initialInterval: 1000,
      backoffCoefficient: 2,
      maximumInterval: 60_000,
      maximumAttempts: s.maxAttempts,
      nonRetryableErrorTypes: [ErrorType.ModelCall, ErrorType.CurationInput],
    },
    ...(input.priority ? { priority: callPriority(input.priority, 'primary') } : {}),
  };
  // One proxy per trace so each activity carries a readable summary in the UI ("curate trace 17").
  const curateTrace = (index: number) =>
    proxyActivities<CurationActivities>({ ...perTraceOptions, summary: `curate trace ${index}` }).curateTrace;

  const counters = input.state?.counters ?? emptyCounters();
  const progress: CurationProgress = {
    ...counters,
    phase: input.state ? 'curating' : 'preparing',
    total: input.state?.prepared.total ?? 0,
    inFlight: 0,
    recentFailures: [],
  };
  setHandler(curationProgressQuery, () => ({ ...progress, ...counters }));

  const publish = (status: string) => {
    upsertSearchAttributes([
      { key: SprintStatus, value: status },
      { key: SprintProgress, value: counters.done },
      { key: SprintKeptFraction, value: counters.done ? counters.kept / counters.done : 0 },
    ]);
  };

  try {
    let prepared = input.state?.prepared;
    if (!prepared) {
      upsertSearchAttributes([
        { key: SprintKind, value: 'curation' },
        { key: SprintStatus, value: 'preparing' },
        { key: SprintProgress, value: 0 },
      ]);
      prepared = await long(`prepare ${describeSource(input.source)}`).prepareCuration({
        runKey,
        source: input.source,
        outDir: input.outDir,
        ...(input.limit !== undefined ? { limit: input.limit } : {}),
        chunkSize: s.chunkSize,
        extractor: s.extractor,
      });
      upsertSearchAttributes([{ key: SprintDataset, value: input.dataset ?? prepared.source }]);
      progress.total = prepared.total;
      progress.phase = 'curating';
      publish('running');
    }
    const p = prepared;
    const start = input.state?.next ?? 0;
    const end = Math.min(p.total, start + s.continueAsNewAfter);
    const inFlight = new Set<Promise<void>>();
    let sincePublish = 0;
    const record = (summary: TraceSummary) => {
      counters.done += 1;
      counters[summary.status] += 1;
      if (summary.reused) counters.reused += 1;
      counters.tokens += summary.tokens;
      counters.costUsd += summary.costUsd;
      sincePublish += 1;
    };
    const launch = (index: number) => {
      const chunk = Math.floor(index / p.chunkSize);
      const job = curateTrace(index)({
        runKey,
        chunk: p.chunks[chunk]!,
        index,
        offset: index - chunk * p.chunkSize,
        settings: s,
      })
        .then(record, (err: unknown) => {
          // A trace whose activity failed for good is recorded (finalize marks it failed); the run goes on.
          const cause =
            err instanceof ActivityFailure && err.cause ? err.cause.message : (err as Error).message;
          progress.recentFailures = [...progress.recentFailures, `trace ${index}: ${cause}`].slice(-10);
          record({
            index,
            status: 'failed',
            reason: 'activity-failed',
            ratio: 0,
            stages: 0,
            tokens: 0,
            costUsd: 0,
            reused: false,
          });
        })
        .finally(() => {
          inFlight.delete(job);
          progress.inFlight = inFlight.size;
        });
      inFlight.add(job);
      progress.inFlight = inFlight.size;
    };
    let next = start;
    while (next < end || inFlight.size) {
      while (next < end && inFlight.size < s.concurrency) launch(next++);
      await Promise.race(inFlight);
      if (sincePublish >= 25) {
        publish('running');
        sincePublish = 0;
      }
    }
    if (end < p.total) {
      publish('running');
      return await continueAsNew<typeof curationWorkflow>({
        ...input,
        runKey,
        state: { prepared: p, next: end, counters, runKey },
      });
    }
    progress.phase = 'finalizing';
    publish('finalizing');
    const result = await long('write dataset, stats and report').finalizeCuration({
      runKey,
      outDir: input.outDir,
      total: p.total,
      inputLines: p.inputLines,
      inputRejects: p.inputRejects,
      settings: s,
      title: `Curation report: ${input.dataset ?? p.source}`,
    });
    const hub = input.pushToHub
      ? await long(`push dataset to ${input.pushToHub.repo}`).pushCurationDataset({
          datasetDir: result.datasetDir,
          ...input.pushToHub,
        })
      : undefined;
    progress.phase = 'done';
    upsertSearchAttributes([
      { key: SprintStatus, value: 'completed' },
      { key: SprintProgress, value: result.counts.traces },
      { key: SprintKeptFraction, value: result.stats.keptFraction },
    ]);
    return {
      ...result,
      reused: counters.reused,
      runKey,
      costUsd: counters.costUsd,
      tokens: counters.tokens,
      ...(hub ? { hub } : {}),
    };
  } catch (err) {
    if (!(err instanceof ContinueAsNew)) publish('failed');
    throw err;
  }
}
