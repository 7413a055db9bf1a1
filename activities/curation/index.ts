/*
 * Curation activities (curation worker): prepare the input (chunks in the artifact store, rejects
 * file), curate one trace (idempotent: the result is keyed by run and index, so a retried or
 * restarted run finds it), and finalize the dataset folder, stats and report.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { CurationConfig } from '../../config/schema/curation';
import { segmentTrace } from '../../core/curation/lines';
import { extractOffline } from '../../core/curation/offline-extractor';
import type { TrainingRecord } from '../../core/curation/render';
import { buildSamples } from '../../core/curation/sample';
import { computeStats, type CurationStats, type TraceOutcome } from '../../core/curation/report';
import type { Component, Dag } from '../../core/packing';
import {
  defaultTraceShape,
  generateCountdownTraces,
  generateCountdownTracesExcluding,
  type CountdownTraceShape,
} from '../../core/traces/countdown';
import { countdownQuestion } from '../../core/benchmarks';
import type { ArtifactRef, ArtifactStore } from '../../io/artifacts';
import { toActivityFailure } from '../llm';
import { ModelCallError, type ModelClient, type TokenUsage } from '../../io/model-client';
import { reportedSettings, writeJsonl, writeReport, writeSplits } from '../../io/curation/dataset-files';
import { pushDataset, type PushResult } from '../../io/curation/hub-push';
import { loadHubTraces, loadTracesFile, type ParsedTraces, type TraceRecord } from '../../io/curation/input';
import { buildDag, ExtractionFailure, extractSteps } from '../../io/curation/llm-extractor';
import { ErrorType } from '../../core/errors';
import type { ColumnMap } from '../../io/curation/trace-rows';

import { extractorKinds, type ExtractorKind } from '../../core/curation/names';
import { isOneOf, UnknownNameError } from '../../core/closed-set';

export type { ExtractorKind };

export type CurationSource =
  | { kind: 'file'; path: string; columns?: ColumnMap }
  | { kind: 'hub'; repo: string; path?: string; revision?: string; columns?: ColumnMap }
  | {
      kind: 'generate';
      count: number;
      seed: number;
      /** Problem size (default: 3-4 numbers up to 99); the demo uses a tiny one. */
      shape?: CountdownTraceShape;
      /**
       * Ask with the Countdown benchmark's question (core/benchmarks) instead of the generator's own
       * wording, so a model trained on the traces is evaluated on the prompt it learned.
       */
      benchmarkQuestion?: boolean;
      /** Problems (numbers and target) no trace may have: the held-out evaluation problems. */
      exclude?: { nums: number[]; target: number }[];
    };

/** Settings a run carries (resolved from config by the caller; no secrets). */
export type CurationSettings = Omit<CurationConfig, 'extractor'> & { extractor: ExtractorKind };

export interface PrepareInput {
  runKey: string;
  source: CurationSource;
  outDir: string;
  limit?: number;
  chunkSize: number;
  extractor: ExtractorKind;
}

export interface PreparedInput {
  chunks: ArtifactRef[];
  chunkSize: number;
  total: number;
  inputLines: number;
  inputRejects: number;
  source: string;
}

export interface TraceTask {
  runKey: string;
  chunk: ArtifactRef;
  /** Index of the trace in the run (chunk = floor(index / chunkSize)). */
  index: number;
  offset: number;
  settings: CurationSettings;
}

export interface TraceSummary {
  index: number;
  status: 'kept' | 'rejected' | 'failed';
  reason?: string;
  ratio: number;
  stages: number;
  tokens: number;
  costUsd: number;
  /** True when an earlier attempt or run had already written this trace's result. */
  reused: boolean;
}

/** What is stored per trace (under key `curation/<run>/t/<index>`). */
export interface TraceResultDoc extends TraceOutcome {
  index: number;
  detail?: string;
  lines: number;
  calls: number;
  sprint?: TrainingRecord;
  rft?: TrainingRecord;
  extraction?: { components: Component[]; dag: Dag };
  stageComponents?: number[][];
  /** Extraction shapes accepted with a remark (components outside the DAG, parents after children). */
  problems?: string[];
  worker: string;
}

export interface FinalizeInput {
  runKey: string;
  outDir: string;
  total: number;
  inputLines: number;
  inputRejects: number;
  settings: CurationSettings;
  title?: string;
}

export interface CurationCounts {
  inputLines: number;
  inputRejects: number;
  traces: number;
  kept: number;
  rejected: number;
  failed: number;
  train: number;
  test: number;
}

export interface FinalizeResult {
  /** Absolute dataset folder. */
  datasetDir: string;
  /** Absolute folders of the two training sets, each with train.jsonl and test.jsonl of {id, prompt, completion}. */
  splits: { sprint: string; rft: string };
  stats: CurationStats;
  counts: CurationCounts;
  files: string[];
}

export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
}

export interface CurationDeps {
  store: ArtifactStore;
  /** Model clients of the extractor and dag roles (built lazily: the offline path needs none). */
  stepsClient?: () => ModelClient;
  dagClient?: () => ModelClient;
  stepsPricing?: Pricing;
  dagPricing?: Pricing;
  /** Hub endpoint and token for `hub` sources and pushes (token from this worker's environment). */
  hub?: { endpoint: string; token?: string; fetch?: typeof fetch; private?: boolean; localMirror?: string };
  heartbeatIntervalMs?: number;
}

export function traceKey(runKey: string, index: number): string {
  return `curation/${runKey}/t/${index}`;
}

function cost(usage: TokenUsage, pricing: Pricing | undefined): number {
  if (!pricing) return 0;
  return (usage.promptTokens * pricing.inputPerMTok + usage.completionTokens * pricing.outputPerMTok) / 1e6;
}

const worker = `${os.hostname()}:${process.pid}`;

/** The curation of one trace, without Temporal (used by the activity and by the comparison bench). */
export async function curateOne(
  trace: TraceRecord,
  settings: CurationSettings,
  deps: Pick<CurationDeps, 'stepsClient' | 'dagClient' | 'stepsPricing' | 'dagPricing'>,
  hooks: { signal?: AbortSignal; onCall?: (what: string) => void } = {},
): Promise<Omit<TraceResultDoc, 'index' | 'worker'>> {
  const lines = segmentTrace(trace.trace);
  const base = {
    id: trace.id,
    lines: lines.length,
    ratio: 0,
    stages: 0,
    components: 0,
    executing: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    repairs: 0,
    calls: 0,
  };
  let components: Component[];
  let dag: Dag;
  const usage = { promptTokens: 0, completionTokens: 0 };
  if (settings.extractor === 'offline') {
    ({ components, dag } = extractOffline(lines, trace.question));
  } else {
    if (!deps.stepsClient || !deps.dagClient)
      throw new Error('the llm extractor needs the extractor and dag model clients');
    const opts = {
      ...settings.llm,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.onCall ? { onCall: hooks.onCall } : {}),
    };
    try {
      const steps = await extractSteps(deps.stepsClient(), trace.question, lines, opts);
      base.calls += steps.calls;
      base.repairs += steps.repairs;
      base.costUsd += cost(steps.usage, deps.stepsPricing);
      usage.promptTokens += steps.usage.promptTokens;
      usage.completionTokens += steps.usage.completionTokens;
      components = steps.components;
      const d = await buildDag(deps.dagClient(), components, opts);
      base.calls += d.calls;
      base.repairs += d.repairs;
      base.costUsd += cost(d.usage, deps.dagPricing);
      usage.promptTokens += d.usage.promptTokens;
      usage.completionTokens += d.usage.completionTokens;
      dag = d.dag;
    } catch (err) {
      if (!(err instanceof ExtractionFailure)) throw err;
      return {
        ...base,
        status: 'failed',
        reason: err.reason,
        detail: err.message,
        calls: base.calls + err.calls,
        repairs: base.repairs + Math.max(0, err.calls - 1),
        promptTokens: usage.promptTokens + err.usage.promptTokens,
        completionTokens: usage.completionTokens + err.usage.completionTokens,
        costUsd:
          base.costUsd + cost(err.usage, err.reason === 'invalid-dag' ? deps.dagPricing : deps.stepsPricing),
      };
    }
  }
  const withUsage = { ...base, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens };
  const sample = buildSamples(trace, components, dag, settings);
  const { problems, ...outcome } = sample;
  return {
    ...withUsage,
    ...outcome,
    ...(problems.length ? { problems } : {}),
    extraction: { components, dag },
  };
}

function summaryOf(doc: TraceResultDoc, reused: boolean): TraceSummary {
  return {
    index: doc.index,
    status: doc.status,
    ...(doc.reason ? { reason: doc.reason } : {}),
    ratio: doc.ratio,
    stages: doc.stages,
    tokens: doc.promptTokens + doc.completionTokens,
    costUsd: doc.costUsd,
    reused,
  };
}

export function createCurationActivities(deps: CurationDeps) {
  const { store } = deps;
  const chunkCache = new Map<string, Promise<TraceRecord[]>>();
  const loadChunk = (ref: ArtifactRef): Promise<TraceRecord[]> => {
    let hit = chunkCache.get(ref.uri);
    if (!hit) {
      hit = store.getJson<TraceRecord[]>(ref);
      chunkCache.set(ref.uri, hit);
      hit.catch(() => chunkCache.delete(ref.uri));
      while (chunkCache.size > 8) chunkCache.delete(chunkCache.keys().next().value!);
    }
    return hit;
  };

  return {
    /** Reads the source once per run (keyed), writes the rejects file, and stores traces in chunks. */
    async prepareCuration(input: PrepareInput): Promise<PreparedInput> {
      const key = `curation/${input.runKey}/prepared`;
      const done = await store.getKey(key);
      if (done) return store.getJson<PreparedInput>(done);
      // a workflow started by another client is not checked by the types
      if (!isOneOf(input.extractor, extractorKinds)) {
        throw ApplicationFailure.nonRetryable(
          new UnknownNameError('extractor of the curation input', input.extractor, extractorKinds).message,
          ErrorType.CurationConfig,
        );
      }
      if (input.extractor === 'llm') {
        try {
          deps.stepsClient?.();
          deps.dagClient?.();
        } catch (err) {
          throw ApplicationFailure.nonRetryable(
            `llm extractor unavailable: ${(err as Error).message}`,
            ErrorType.CurationConfig,
          );
        }
        if (!deps.stepsClient || !deps.dagClient) {
          throw ApplicationFailure.nonRetryable(
            'llm extractor unavailable on this worker',
            ErrorType.CurationConfig,
          );
        }
      }
      let parsed: ParsedTraces;
      let label: string;
      const limit = input.limit !== undefined ? { limit: input.limit } : {};
      try {
        switch (input.source.kind) {
          case 'file':
            parsed = await loadTracesFile(input.source.path, {
              ...limit,
              ...(input.source.columns ? { columns: input.source.columns } : {}),
            });
            label = path.basename(input.source.path);
            break;
          case 'hub': {
            const src = input.source;
            parsed = await loadHubTraces(
              {
                repo: src.repo,
                ...(src.path ? { path: src.path } : {}),
                ...(src.revision ? { revision: src.revision } : {}),
                ...(src.columns ? { columns: src.columns } : {}),
                hubUrl: deps.hub?.endpoint,
                ...(deps.hub?.token ? { accessToken: deps.hub.token } : {}),
                ...(deps.hub?.fetch ? { fetch: deps.hub.fetch } : {}),
              },
              limit,
            );
            label = `${src.repo}${src.path ? `/${src.path}` : ''}`;
            break;
          }
          case 'generate': {
            const n = Math.min(input.source.count, input.limit ?? Number.POSITIVE_INFINITY);
            const src = input.source;
            const question = src.benchmarkQuestion ? countdownQuestion : undefined;
            const generated = src.exclude
              ? generateCountdownTracesExcluding(
                  n,
                  src.seed,
                  src.shape ?? defaultTraceShape,
                  question,
                  src.exclude,
                )
              : generateCountdownTraces(n, src.seed, src.shape, question);
            const traces = generated.map(({ id, question, trace, solution, answer }) => ({
              id,
              question,
              trace,
              solution,
              answer,
            }));
            parsed = { traces, rejects: [], lines: traces.length };
            label = `countdown-generated-${input.source.seed}`;
            break;
          }
        }
      } catch (err) {
        throw ApplicationFailure.nonRetryable((err as Error).message, ErrorType.CurationInput);
      }
      await fsp.mkdir(input.outDir, { recursive: true });
      await writeJsonl(path.join(input.outDir, 'rejects.jsonl'), parsed.rejects);
      const chunks: ArtifactRef[] = [];
      for (let i = 0; i < parsed.traces.length; i += input.chunkSize) {
        chunks.push(await store.putJson(parsed.traces.slice(i, i + input.chunkSize)));
      }
      const prepared: PreparedInput = {
        chunks,
        chunkSize: input.chunkSize,
        total: parsed.traces.length,
        inputLines: parsed.lines,
        inputRejects: parsed.rejects.length,
        source: label,
      };
      await store.setKey(key, await store.putJson(prepared));
      return prepared;
    },

    /** Curates one trace; an earlier result under the same key is returned as is (idempotent). */
    async curateTrace(task: TraceTask): Promise<TraceSummary> {
      const key = traceKey(task.runKey, task.index);
      const existing = await store.getKey(key);
      if (existing) return summaryOf(await store.getJson<TraceResultDoc>(existing), true);
      const traces = await loadChunk(task.chunk);
      const trace = traces[task.offset];
      if (!trace)
        throw ApplicationFailure.nonRetryable(
          `trace ${task.index} is not in its chunk`,
          ErrorType.CurationInput,
        );
      let ctx: Context | undefined;
      try {
        ctx = Context.current();
      } catch {
        ctx = undefined;
      }
      const timer = ctx ? setInterval(() => ctx.heartbeat(), deps.heartbeatIntervalMs ?? 1000) : undefined;
      let result: Omit<TraceResultDoc, 'index' | 'worker'>;
      try {
        result = await curateOne(trace, task.settings, deps, {
          ...(ctx ? { signal: ctx.cancellationSignal, onCall: (what: string) => ctx.heartbeat(what) } : {}),
        });
      } catch (err) {
        if (ctx?.cancellationSignal.aborted) throw new CancelledFailure('trace curation cancelled');
        if (err instanceof ModelCallError) throw toActivityFailure(err);
        throw err;
      } finally {
        if (timer) clearInterval(timer);
      }
      const doc: TraceResultDoc = { ...result, index: task.index, worker };
      await store.setKey(key, await store.putJson(doc));
      return summaryOf(doc, false);
    },

    /** Pushes the dataset folder to a Hub dataset repo (or the local mirror without a token); re-runs change nothing. */
    async pushCurationDataset(input: {
      datasetDir: string;
      repo: string;
      private?: boolean;
    }): Promise<PushResult> {
      if (!/^[^/\s]+\/[^/\s]+$/.test(input.repo)) {
        throw ApplicationFailure.nonRetryable(
          `Hub repo must be OWNER/NAME (got "${input.repo}")`,
          ErrorType.CurationInput,
        );
      }
      return pushDataset({
        datasetDir: input.datasetDir,
        repo: input.repo,
        private: input.private ?? deps.hub?.private ?? true,
        hubUrl: deps.hub?.endpoint ?? 'https://huggingface.co',
        ...(deps.hub?.token ? { token: deps.hub.token } : {}),
        localMirror: deps.hub?.localMirror ?? '.sprint/hub',
        ...(deps.hub?.fetch ? { fetch: deps.hub.fetch } : {}),
      });
    },

    /** Reads every trace result and writes the dataset folder, stats.json and report.md (+ charts). */
    async finalizeCuration(input: FinalizeInput): Promise<FinalizeResult> {
      const docs: TraceResultDoc[] = [];
      for (let i = 0; i < input.total; i++) {
        const ref = await store.getKey(traceKey(input.runKey, i));
        if (ref) docs.push(await store.getJson<TraceResultDoc>(ref));
        else {
          docs.push({
            index: i,
            id: `trace-${i}`,
            status: 'failed',
            reason: 'no-result',
            detail: 'the trace activity failed after its retries',
            ratio: 0,
            stages: 0,
            components: 0,
            executing: 0,
            promptTokens: 0,
            completionTokens: 0,
            costUsd: 0,
            repairs: 0,
            lines: 0,
            calls: 0,
            worker: '',
          });
        }
        if (i % 200 === 0) {
          try {
            Context.current().heartbeat(i);
          } catch {
            // outside an activity
          }
        }
      }
      const kept = docs.flatMap((d) =>
        d.status === 'kept' && d.sprint && d.rft ? [{ id: d.id, sprint: d.sprint, rft: d.rft }] : [],
      );
      const out = input.outDir;
      const files: string[] = [];
      const split = await writeSplits(out, kept, input.settings, files);
      files.push('outcomes.jsonl');
      await writeJsonl(
        path.join(out, 'outcomes.jsonl'),
        docs.map((d) => ({
          index: d.index,
          id: d.id,
          status: d.status,
          ...(d.reason ? { reason: d.reason } : {}),
          ...(d.detail ? { detail: d.detail } : {}),
          ratio: d.ratio,
          stages: d.stages,
          components: d.components,
          executing: d.executing,
          tokens: d.promptTokens + d.completionTokens,
          costUsd: d.costUsd,
          ...(d.stageComponents ? { stageComponents: d.stageComponents } : {}),
          ...(d.problems ? { problems: d.problems } : {}),
        })),
      );
      const stats = computeStats(docs, {
        extractor: input.settings.extractor,
        format: input.settings.format,
        inputLines: input.inputLines,
        inputRejects: input.inputRejects,
        train: split.train,
        test: split.test,
        settings: reportedSettings(input.settings),
      });
      await writeReport(out, stats, input.title, files);
      if (fs.existsSync(path.join(out, 'rejects.jsonl'))) files.push('rejects.jsonl');
      return {
        datasetDir: path.resolve(out),
        splits: { sprint: path.resolve(out, 'sprint'), rft: path.resolve(out, 'rft') },
        stats,
        counts: {
          inputLines: input.inputLines,
          inputRejects: input.inputRejects,
          traces: stats.traces,
          kept: stats.kept,
          rejected: stats.rejected,
          failed: stats.failed,
          train: stats.train,
          test: stats.test,
        },
        files: files.sort(),
      };
    },
  };
}

export type CurationActivities = ReturnType<typeof createCurationActivities>;
export type { PushResult } from '../../io/curation/hub-push';
