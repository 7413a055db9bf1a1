import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { SprintConfig } from '../config/schema';
import { hashSeed, type BenchmarkName, type BenchmarkProblem } from '../core/benchmarks';
import type { RunSummary } from '../core/evaluation/summary';
import type { ProblemRecord } from '../core/evaluation/types';
import { gradeOutput, referenceText, type GradeTarget } from '../core/grading/grade';
import type { MethodName, MethodRunResult } from '../core/method-result';
import type { ArtifactStore } from '../io/artifacts';
import { readSessionText } from '../io/session-texts';
import type { SessionText } from '../core/stored-text';
import { RESULTS_FILE, writeRunReport } from '../io/evaluation/report';
import { ErrorType } from '../core/errors';

type BenchmarkReaders = typeof import('../io/evaluation/benchmarks');

/*
 * The benchmark readers (Parquet via hyparquet, the Hub client) are loaded by the first
 * loadEvaluationProblems call, not with the control worker: they were about a tenth of its start
 * before the first poll (bench/cli-startup.ts) and most control workers never load a benchmark.
 * require(), not import(): tsc compiles to CommonJS and tsx/jest run the .ts sources through require.
 */
function benchmarkReaders(): BenchmarkReaders {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../io/evaluation/benchmarks') as BenchmarkReaders;
}

export interface EvaluationActivityDeps {
  config: SprintConfig;
  store: ArtifactStore;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  hubUrl?: string;
}

/** A method's outcome as the evaluation workflow passes it on: the text only when there is no final answer. */
export interface ProblemOutcome {
  result?: Omit<MethodRunResult, 'text'> & { text?: SessionText };
  error?: string;
}

export interface RecordProblemInput {
  evalId: string;
  benchmark: BenchmarkName;
  method: MethodName;
  outDir: string;
  problem: { id: string; target: GradeTarget; meta?: Record<string, string | number> };
  outcome: ProblemOutcome;
}

function safePart(s: string): string {
  const cleaned = s
    .replace(/[^A-Za-z0-9._\-/]/g, '_')
    .replace(/\.\.+/g, '_')
    .replace(/^[/._-]+/, '');
  return cleaned.length && cleaned.length <= 120 ? cleaned : `h${hashSeed(s).toString(16)}`;
}

/** Artifact-store key of one graded problem: how a resumed evaluation knows what is done. */
export function problemKey(evalId: string, method: string, problemId: string): string {
  return `eval/${safePart(evalId)}/${method}/${safePart(problemId)}`;
}

export function createEvaluationActivities(deps: EvaluationActivityDeps) {
  const { store } = deps;
  const readRecord = async (key: string): Promise<ProblemRecord | null> => {
    const ref = await store.getKey(key);
    return ref ? store.getJson<ProblemRecord>(ref) : null;
  };
  return {
    /** Loads the benchmark on the worker (local file or Hub; the Hub token stays in this process). */
    async loadEvaluationProblems(input: {
      benchmark: BenchmarkName;
      dataFile?: string;
      limit?: number;
    }): Promise<{ problems: BenchmarkProblem[]; errors: string[]; source: string }> {
      try {
        const loaded = await benchmarkReaders().loadBenchmark({
          ...input,
          config: deps.config,
          env: deps.env,
          fetch: deps.fetch,
          hubUrl: deps.hubUrl,
        });
        return { ...loaded, errors: loaded.errors.slice(0, 50) };
      } catch (err) {
        throw ApplicationFailure.nonRetryable((err as Error).message, ErrorType.BenchmarkLoad);
      }
    },

    /** Records of the problems already graded under this evaluation id (any earlier run). */
    async finishedProblems(input: {
      evalId: string;
      method: MethodName;
      problemIds: string[];
    }): Promise<ProblemRecord[]> {
      const out: ProblemRecord[] = [];
      for (const id of input.problemIds) {
        const r = await readRecord(problemKey(input.evalId, input.method, id));
        if (r) out.push(r);
      }
      return out;
    },

    /**
     * Grades one problem and records it: a line in results.jsonl, then the keyed record. Idempotent:
     * a retried call that finds the key returns the stored record without appending again.
     */
    async recordProblem(input: RecordProblemInput): Promise<ProblemRecord> {
      const key = problemKey(input.evalId, input.method, input.problem.id);
      const existing = await readRecord(key);
      if (existing) return existing;
      const r = input.outcome.result;
      const grade = r
        ? gradeOutput(
            // A long session's text comes stored (core/session/payload-limits.ts).
            {
              finalAnswer: r.finalAnswer,
              text: r.text === undefined ? '' : await readSessionText(store, r.text),
            },
            input.problem.target,
          )
        : { correct: false, extracted: null, reason: 'method failed' };
      const record: ProblemRecord = {
        evalId: input.evalId,
        benchmark: input.benchmark,
        method: input.method,
        problemId: input.problem.id,
        correct: grade.correct,
        extracted: grade.extracted,
        reference: referenceText(input.problem.target),
        ...(grade.reason ? { reason: grade.reason } : {}),
        tokens: r?.tokens ?? { sequential: 0, total: 0, prompt: 0, cachedPrompt: 0 },
        rounds: r?.rounds ?? 0,
        promptsPerRound: r?.promptsPerRound ?? [],
        wallMs: r?.wallMs ?? 0,
        ...(r?.transcript ? { transcript: r.transcript } : {}),
        ...(input.outcome.error ? { error: input.outcome.error } : {}),
        tokenSource: 'engine',
        ...(input.problem.meta ? { meta: input.problem.meta } : {}),
      };
      await fsp.mkdir(input.outDir, { recursive: true });
      await fsp.appendFile(path.join(input.outDir, RESULTS_FILE), `${JSON.stringify(record)}\n`);
      await store.setKey(key, await store.putJson(record));
      return record;
    },

    /** Rewrites results.jsonl from the keyed records (in problem order) and writes summary.json, report.md, plots. */
    async finalizeEvaluation(input: {
      evalId: string;
      method: MethodName;
      outDir: string;
      problemIds: string[];
    }): Promise<RunSummary> {
      const records: ProblemRecord[] = [];
      for (const id of input.problemIds) {
        const r = await readRecord(problemKey(input.evalId, input.method, id));
        if (r) records.push(r);
      }
      return writeRunReport(input.outDir, records, input.problemIds);
    },
  };
}

export type EvaluationActivities = ReturnType<typeof createEvaluationActivities>;
