import {
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  executeChild,
  type ChildWorkflowOptions,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { EvaluationActivities, ProblemOutcome } from '../activities/evaluation';
import type { BenchmarkProblem } from '../core/benchmarks';
import { benchmarkNames, type BenchmarkName } from '../core/benchmarks/names';
import { oneOf, unknownName } from '../core/closed-set';
import type { RunSummary } from '../core/evaluation/summary';
import type { ProblemRecord } from '../core/evaluation/types';
import {
  methodNames,
  type MethodName,
  type MethodRunInput,
  type MethodRunResult,
} from '../core/method-result';
import { scWorkflow } from './self-consistency';
import { sequentialWorkflow } from './sequential';
import { sessionWorkflow, type SessionRouting } from './session';
import { sotWorkflow } from './sot';
import {
  SprintAccuracy,
  SprintBenchmark,
  SprintKind,
  SprintMethod,
  SprintModel,
  SprintPool,
  SprintProgress,
  SprintSequentialTokens,
  SprintStatus,
  SprintTotalTokens,
} from './search-attributes';
import { ErrorType } from '../core/errors';
import type { AnswerKind } from '../core/methods/baselines';
import { failureMessage } from '../core/failure-message';
import { callPriority, type RunPriority } from '../core/priority/mapping';

/** The workflow that runs each method on one question (all return MethodRunResult). */
export const methodWorkflows = {
  sprint: sessionWorkflow,
  sequential: sequentialWorkflow,
  sot: sotWorkflow,
  sc: scWorkflow,
} as const satisfies Record<MethodName, (input: never) => Promise<MethodRunResult>>;

/** What an evaluation gives each method's workflow: the question, the pool, settings and routing. */
interface MethodChildInput extends MethodRunInput {
  routing?: SessionRouting;
}

/** Runs `method` on one question as a child workflow, started by its function (typed input). */
function executeMethod(
  method: MethodName,
  input: MethodChildInput,
  options: Omit<ChildWorkflowOptions, 'typeInfo'>,
): Promise<MethodRunResult> {
  switch (method) {
    case 'sprint':
      return executeChild(methodWorkflows.sprint, { ...options, args: [input] });
    case 'sequential':
      return executeChild(methodWorkflows.sequential, { ...options, args: [input] });
    case 'sot':
      return executeChild(methodWorkflows.sot, { ...options, args: [input] });
    case 'sc':
      return executeChild(methodWorkflows.sc, { ...options, args: [input] });
    default:
      return unknownName('method', method, methodNames);
  }
}

/** Whether a method reads the answer out of its replies itself, and so takes the benchmark's answer kind. */
const takesAnswerKind = {
  sprint: false,
  sequential: false,
  sot: true,
  sc: true,
} as const satisfies Record<MethodName, boolean>;

/** Fails the evaluation for good when its input names a benchmark or method that does not exist. */
function checkNames(input: EvaluationInput): void {
  try {
    oneOf('benchmark of the evaluation input', input.benchmark, benchmarkNames);
    oneOf('method of the evaluation input', input.method, methodNames);
  } catch (err) {
    throw ApplicationFailure.nonRetryable((err as Error).message, ErrorType.BadEvaluationInput);
  }
}

export interface EvaluationInput {
  /** Stable id of the evaluation: children are `${evalId}/${method}/${problemId}`, results keyed by it. */
  evalId: string;
  benchmark: BenchmarkName;
  method: MethodName;
  /** Pool serving the method's model calls. */
  pool: string;
  /** Model name, for the SprintModel search attribute. */
  model?: string;
  /** Benchmark file readable by the control worker; default the Hub file (Countdown: generated). */
  dataFile?: string;
  limit?: number;
  /** Run folder on the control worker: results.jsonl, summary.json, report.md, plots/. */
  outDir: string;
  /** Problems in flight at once. */
  concurrency: number;
  /** Method settings passed to each child (answerKind is filled in from the benchmark for sot/sc). */
  settings?: Record<string, unknown>;
  /** Queue routing for the session workflows (sprint, sequential): from `poolRoute`, no URLs or keys. */
  routing?: SessionRouting;
  /** continueAsNew after this many problems finish in one run (default 200), so history stays small. */
  maxProblemsPerRun?: number;
  /** Priority of every child's model calls (docs/priority.md): batch by default, fairness key the evaluation's id. */
  priority?: RunPriority;
}

export interface EvaluationProgress {
  evalId: string;
  benchmark: BenchmarkName;
  method: MethodName;
  total: number;
  done: number;
  correct: number;
  failed: number;
  /** Problems found finished at the start of this run (resumed). */
  resumed: number;
  running: string[];
  meanSequentialTokens: number;
  meanTotalTokens: number;
  status: 'loading' | 'running' | 'reporting' | 'completed';
}

export interface EvaluationResult {
  summary: RunSummary;
  outDir: string;
  /** Problems skipped because an earlier run of this evaluation had finished them. */
  resumed: number;
  loadErrors: string[];
}

export const evaluationProgressQuery = defineQuery<EvaluationProgress>('evaluationProgress');

/**
 * Runs one method on a benchmark: every problem a child workflow with a deterministic id, at most
 * `concurrency` at once; each outcome graded and recorded by an activity (results.jsonl + a keyed
 * record in the artifact store), so a restarted evaluation skips finished problems; progress in a
 * query and in search attributes; summary.json, report.md and plots at the end.
 */
export async function evaluationWorkflow(input: EvaluationInput): Promise<EvaluationResult> {
  if (!input.evalId || !/^[\w.-]+$/.test(input.evalId)) {
    throw ApplicationFailure.nonRetryable(
      `evalId "${input.evalId}" must be letters, digits, . _ -`,
      ErrorType.BadEvaluationInput,
    );
  }
  checkNames(input);
  if (!(input.concurrency >= 1))
    throw ApplicationFailure.nonRetryable('concurrency must be >= 1', ErrorType.BadEvaluationInput);
  const acts = proxyActivities<EvaluationActivities>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: 500, maximumInterval: 10_000, maximumAttempts: 10 },
  });
  const progress: EvaluationProgress = {
    evalId: input.evalId,
    benchmark: input.benchmark,
    method: input.method,
    total: 0,
    done: 0,
    correct: 0,
    failed: 0,
    resumed: 0,
    running: [],
    meanSequentialTokens: 0,
    meanTotalTokens: 0,
    status: 'loading',
  };
  setHandler(evaluationProgressQuery, () => progress);
  let sumSeq = 0;
  let sumTotal = 0;
  const publish = (status: string) => {
    const pairs: SearchAttributeUpdatePair[] = [
      { key: SprintKind, value: 'evaluation' },
      { key: SprintBenchmark, value: input.benchmark },
      { key: SprintMethod, value: input.method },
      { key: SprintPool, value: input.pool },
      { key: SprintStatus, value: status },
      { key: SprintProgress, value: progress.done },
      { key: SprintAccuracy, value: progress.done ? progress.correct / progress.done : 0 },
      { key: SprintSequentialTokens, value: Math.round(progress.meanSequentialTokens) },
      { key: SprintTotalTokens, value: sumTotal },
    ];
    if (input.model) pairs.push({ key: SprintModel, value: input.model });
    upsertSearchAttributes(pairs);
  };
  const count = (r: ProblemRecord) => {
    progress.done++;
    if (r.correct) progress.correct++;
    if (r.error) progress.failed++;
    sumSeq += r.tokens.sequential;
    sumTotal += r.tokens.total;
    progress.meanSequentialTokens = sumSeq / progress.done;
    progress.meanTotalTokens = sumTotal / progress.done;
  };
  publish('loading');

  const loaded = await acts.loadEvaluationProblems({
    benchmark: input.benchmark,
    dataFile: input.dataFile,
    limit: input.limit,
  });
  const problems = loaded.problems;
  progress.total = problems.length;
  const ids = problems.map((p) => p.id);
  const finished = await acts.finishedProblems({
    evalId: input.evalId,
    method: input.method,
    problemIds: ids,
  });
  const finishedIds = new Set(finished.map((r) => r.problemId));
  for (const r of finished) count(r);
  progress.resumed = finished.length;
  progress.status = 'running';
  publish('running');

  const settings: Record<string, unknown> = input.settings ?? {};
  // a problem's target kind is the shape of its answer (math, choice letter, Countdown equation)
  const settingsFor = (p: BenchmarkProblem): Record<string, unknown> =>
    takesAnswerKind[input.method] && settings.answerKind === undefined
      ? { ...settings, answerKind: p.target.kind satisfies AnswerKind }
      : settings;
  const queue: BenchmarkProblem[] = problems.filter((p) => !finishedIds.has(p.id));
  const limitThisRun = input.maxProblemsPerRun ?? 200;
  let doneThisRun = 0;
  const stopScheduling = () => doneThisRun >= limitThisRun || workflowInfo().continueAsNewSuggested;

  async function runProblem(p: BenchmarkProblem): Promise<void> {
    progress.running.push(p.id);
    const childInput: MethodChildInput = {
      question: p.question,
      pool: input.pool,
      settings: settingsFor(p),
      ...(input.routing ? { routing: input.routing } : {}),
      ...(input.priority ? { priority: input.priority } : {}),
    };
    let outcome: ProblemOutcome;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await executeMethod(input.method, childInput, {
          workflowId: `${input.evalId}/${input.method}/${p.id}`,
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          parentClosePolicy: 'TERMINATE',
          staticSummary: `${input.method} on ${input.benchmark} problem ${p.id}`,
          ...(input.priority ? { priority: callPriority(input.priority, 'primary') } : {}),
        });
        // the full text travels only when there is no final answer to grade (history stays small)
        const { text: _text, ...rest } = result;
        outcome = { result: result.finalAnswer === null ? result : rest };
        break;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError && attempt < 30) {
          // a child of a terminated earlier run is still being closed by the server
          await sleep(1000);
          continue;
        }
        outcome = { error: `${methodWorkflows[input.method].name} failed: ${failureMessage(err)}` };
        break;
      }
    }
    const record = await acts.recordProblem({
      evalId: input.evalId,
      benchmark: input.benchmark,
      method: input.method,
      outDir: input.outDir,
      problem: { id: p.id, target: p.target, ...(p.meta ? { meta: p.meta } : {}) },
      outcome,
    });
    progress.running = progress.running.filter((x) => x !== p.id);
    count(record);
    doneThisRun++;
    publish('running');
  }

  const lanes = Array.from({ length: Math.min(input.concurrency, Math.max(1, queue.length)) }, async () => {
    while (queue.length && !stopScheduling()) await runProblem(queue.shift()!);
  });
  await Promise.all(lanes);
  if (queue.length) {
    // history by reference: the next run finds every finished problem by its key and goes on
    await continueAsNew<typeof evaluationWorkflow>(input);
  }

  progress.status = 'reporting';
  publish('reporting');
  const summary = await acts.finalizeEvaluation({
    evalId: input.evalId,
    method: input.method,
    outDir: input.outDir,
    problemIds: ids,
  });
  progress.status = 'completed';
  publish('completed');
  return { summary, outDir: input.outDir, resumed: progress.resumed, loadErrors: loaded.errors };
}
