import {
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities/artifacts';
import type { ArtifactRef } from '../core/artifact-ref';
import type { SprintActivities } from '../activities/sprint';
import type { PoolRoute } from '../config/queues';
import { sessionSchema, type SessionSettings, type SessionSettingsInput } from '../config/schema/session';
import { accountSession, type CallUsage, type RoundUsage } from '../core/accounting';
import {
  executorPrompt,
  forcedFinalPrompt,
  plannerPrompt,
  renderSessionPrefix,
  renderTrajectory,
  type Plan,
  type Round,
} from '../core/format';
import type { MethodRunInput, MethodRunResult } from '../core/method-result';
import {
  callTimingOf,
  PROGRESS_QUERY,
  PROMPT_CLOSED_SIGNAL,
  type CallRecord,
  type ExecuteCallResult,
  type PlanCallResult,
  type PromptClosed,
  type RoundRecord,
  type RouteSnapshot,
  type SessionProgress,
  type SessionStatus,
  type SessionTranscript,
} from '../core/session-types';
import { StickyRouter, type RouteState } from './routing';
import {
  SprintKind,
  SprintMethod,
  SprintModel,
  SprintPool,
  SprintProgress,
  SprintSequentialTokens,
  SprintStatus,
  SprintTotalTokens,
} from './search-attributes';

/*
 * A SPRINT inference session (SPRINT.md section 3) as a workflow: each round is one planner activity
 * and one executor activity per prompt, all started together. Finished rounds live in workflow state
 * (and, across continue-as-new, in the artifact store), so a crash never recomputes them.
 *
 * Broken model replies never fail the session (rules in core/format/plan.ts): no tags -> a plan
 * with no prompts; an unclosed prompt -> its text up to the next prompt or the end; more prompts
 * than `maxPromptsPerRound` -> the first ones run, the rest stay as plan text; all recorded in the
 * round's `problems`. A planner reply cut by the token limit is parsed the same way.
 */

export const progressQuery = defineQuery<SessionProgress>(PROGRESS_QUERY);
export const promptClosedSignal = defineSignal<[PromptClosed]>(PROMPT_CLOSED_SIGNAL);

export interface SessionRouting {
  planner: PoolRoute;
  executor: PoolRoute;
}

export interface SessionInput extends MethodRunInput {
  /** Session settings (config section `session`); missing fields take their defaults. */
  settings?: SessionSettingsInput;
  /** Queue names of the planner and executor pools (from `poolRoute`); default the pool's shared queue. */
  routing?: SessionRouting;
  /** Set by continue-as-new: the transcript so far, by reference. */
  resume?: {
    transcript: ArtifactRef;
    plannerRoute: RouteState;
    executorRoute: RouteState;
    checkpoints: ArtifactRef[];
  };
}

export interface SessionResult extends MethodRunResult {
  workflowId: string;
  status: SessionStatus;
  problems: string[];
  /** Prefill/cached tokens and the streaming figure are in `tokens`; per round here. */
  roundTokens: { phase: number; sequential: number; sequentialStreaming: number; total: number }[];
  routing: { planner: RouteSnapshot; executor: RouteSnapshot };
}

function defaultRoute(pool: string): PoolRoute {
  return { pool, model: pool, sharedQueue: `sprint-llm-${pool}`, replicas: [] };
}

function roundUsage(r: RoundRecord): RoundUsage {
  const kept = r.calls.filter((c) => !c.discarded);
  const planner = kept.find((c) => c.kind === 'plan');
  const executors = r.executions.map((_, i) => kept.find((c) => c.kind === 'execute' && c.k === i + 1));
  const zero: CallUsage = { promptTokens: 0, completionTokens: 0 };
  return {
    planner: planner?.usage ?? zero,
    promptEndTokens: r.promptEndTokens,
    executors: executors.map((c) => c?.usage ?? zero),
    discarded: r.calls.filter((c) => c.discarded).map((c) => c.usage),
  };
}

function asRounds(records: readonly RoundRecord[]): Round[] {
  return records
    .filter((r) => r.final === undefined)
    .map((r) => ({ plan: r.plan, executions: r.executions }));
}

function plannerStops(s: SessionSettings): string[] {
  return s.releasedStops
    ? ['</Plan_', '</Final_answer>', '</Execution_', '</think>']
    : ['</Plan_', '</Final_answer>'];
}

export async function sessionWorkflow(input: SessionInput): Promise<SessionResult> {
  const info = workflowInfo();
  const settings = sessionSchema.parse(input.settings ?? {});
  const routing = input.routing ?? {
    planner: defaultRoute(input.pool ?? 'local'),
    executor: defaultRoute(input.pool ?? 'local'),
  };
  const controlQueue = info.taskQueue;
  const artifacts = proxyActivities<ArtifactActivities>({
    taskQueue: controlQueue,
    startToCloseTimeout: 60_000,
    retry: { maximumAttempts: 5 },
  });

  // ---- state (restored from the artifact store after continue-as-new) ----
  let transcript: SessionTranscript;
  const checkpoints: ArtifactRef[] = [...(input.resume?.checkpoints ?? [])];
  if (input.resume) {
    transcript = (await artifacts.getJsonArtifact(input.resume.transcript)) as SessionTranscript;
    transcript.runs += 1;
  } else {
    transcript = {
      version: 1,
      workflowId: info.workflowId,
      question: input.question,
      status: 'running',
      startedAt: Date.now(),
      runs: 1,
      settings: settings,
      routing: {
        planner: { pool: routing.planner.pool, model: routing.planner.model, queue: '', failedOver: false },
        executor: {
          pool: routing.executor.pool,
          model: routing.executor.model,
          queue: '',
          failedOver: false,
        },
      },
      rounds: [],
      final: null,
      problems: [],
      tokens: accountSession([]),
    };
  }

  const samePool = routing.planner.pool === routing.executor.pool;
  const plannerRouter = new StickyRouter(
    routing.planner,
    info.workflowId,
    settings.stickyScheduleToStartMs,
    input.resume?.plannerRoute,
    (from, to) => transcript.problems.push(`planner queue ${from} had no worker: moved to ${to}`),
  );
  // Same pool: one router, so executors follow the planner's replica (prefix cache) and its failover.
  const executorRouter = samePool
    ? plannerRouter
    : new StickyRouter(
        routing.executor,
        info.workflowId,
        settings.stickyScheduleToStartMs,
        input.resume?.executorRoute,
        (from, to) => transcript.problems.push(`executor queue ${from} had no worker: moved to ${to}`),
      );
  const snapshot = (router: StickyRouter): RouteSnapshot => ({
    pool: router.route.pool,
    model: router.route.model,
    ...(router.state.replica ? { replica: router.state.replica } : {}),
    queue: router.state.queue,
    failedOver: router.state.failedOver,
  });
  const refreshRouting = () => {
    transcript.routing = { planner: snapshot(plannerRouter), executor: snapshot(executorRouter) };
  };
  refreshRouting();

  let phaseNow = transcript.rounds.length;
  let activity: SessionProgress['activity'] = 'idle';
  const streamed: PromptClosed[] = [];

  setHandler(progressQuery, () => ({
    workflowId: info.workflowId,
    question: transcript.question,
    status: transcript.status,
    phase: phaseNow,
    activity,
    rounds: transcript.rounds,
    final: transcript.final,
    tokens: transcript.tokens,
    problems: transcript.problems,
    routing: transcript.routing,
    startedAt: transcript.startedAt,
    runs: transcript.runs,
    checkpoints,
  }));
  setHandler(promptClosedSignal, (s) => {
    streamed.push(s);
  });

  const updateAttributes = () => {
    upsertSearchAttributes([
      { key: SprintKind, value: 'session' },
      { key: SprintMethod, value: 'sprint' },
      { key: SprintStatus, value: transcript.status },
      { key: SprintModel, value: routing.planner.model },
      { key: SprintPool, value: routing.planner.pool },
      { key: SprintProgress, value: transcript.rounds.length },
      { key: SprintSequentialTokens, value: transcript.tokens.sequential },
      { key: SprintTotalTokens, value: transcript.tokens.total },
    ]);
  };
  updateAttributes();

  const prefix = renderSessionPrefix(settings.promptTemplate, settings.systemPrompt, input.question);
  const modelActivities = (queue: string, scheduleToStartMs: number | undefined, summary: string) => {
    const options: ActivityOptions = {
      taskQueue: queue,
      startToCloseTimeout: settings.callTimeoutMs,
      heartbeatTimeout: settings.heartbeatTimeoutMs,
      ...(scheduleToStartMs !== undefined ? { scheduleToStartTimeout: scheduleToStartMs } : {}),
      retry: {
        initialInterval: settings.retry.initialIntervalMs,
        backoffCoefficient: settings.retry.backoffCoefficient,
        maximumInterval: settings.retry.maximumIntervalMs,
        maximumAttempts: settings.retry.maximumAttempts,
        nonRetryableErrorTypes: ['ModelCallError'],
      },
      summary,
    };
    return proxyActivities<SprintActivities>(options);
  };
  const seedFor = (phase: number, k: number, attempt: number) =>
    settings.seed === undefined ? undefined : settings.seed + phase * 1_000_003 + k * 1009 + attempt;
  const sampling = (phase: number, k: number, attempt: number) => {
    const seed = seedFor(phase, k, attempt);
    return {
      maxTokens: settings.maxTokensPerCall,
      temperature: settings.temperature,
      ...(settings.topP !== undefined ? { topP: settings.topP } : {}),
      ...(seed !== undefined ? { seed } : {}),
    };
  };

  /** One executor with optional resampling; returns the kept call and the discarded ones. */
  async function execute(
    phase: number,
    k: number,
    prompt: string,
    streamedFlag: boolean,
  ): Promise<{ result: ExecuteCallResult; calls: CallRecord[] }> {
    const tries = settings.resample.enabled ? settings.resample.maxTries : 1;
    const calls: CallRecord[] = [];
    for (let t = 1; ; t++) {
      let queueUsed = '';
      const result = await executorRouter.call((queue, sts) => {
        queueUsed = queue;
        return modelActivities(
          queue,
          sts,
          `execute ${phase}.${k}${t > 1 ? ` (try ${t})` : ''}`,
        ).sprintExecute({
          prompt,
          phase,
          k,
          stop: ['</execution_'],
          ...sampling(phase, k, t),
        });
      });
      const record: CallRecord = {
        kind: 'execute',
        phase,
        k,
        try: t,
        queue: queueUsed,
        raw: result.raw,
        usage: result.usage,
        ...callTimingOf(result),
        ...(streamedFlag ? { streamed: true } : {}),
      };
      calls.push(record);
      const tooLong = result.usage.completionTokens > settings.resample.executionMaxTokens;
      if (!settings.resample.enabled || !tooLong || t >= tries) return { result, calls };
      record.discarded = `execution of ${result.usage.completionTokens} tokens > ${settings.resample.executionMaxTokens}: resampled`;
    }
  }

  async function runRound(phase: number, forced: boolean): Promise<RoundRecord> {
    const doneRounds = asRounds(transcript.rounds);
    const startedAt = Date.now();
    const calls: CallRecord[] = [];
    const problems: string[] = [];
    const plannerPromptText = forced
      ? forcedFinalPrompt(prefix, doneRounds)
      : plannerPrompt(prefix, doneRounds);
    const streaming = settings.streamingDispatch && !forced;
    const tries = settings.resample.enabled && !forced ? settings.resample.maxTries : 1;

    // Streaming dispatch: executors started from signals, keyed by plan try, attempt and k.
    const early = new Map<
      string,
      { signal: PromptClosed; scope: CancellationScope; run: Promise<unknown> }
    >();
    let currentTry = 1;
    let stopWatching = false;
    const watcher = streaming
      ? (async () => {
          let seen = 0;
          for (;;) {
            await condition(() => stopWatching || streamed.length > seen);
            while (seen < streamed.length) {
              const s = streamed[seen++]!;
              if (s.phase !== phase || s.planTry !== currentTry) continue;
              const key = `${s.planTry}/${s.attempt}/${s.k}`;
              if (early.has(key)) continue;
              const scope = new CancellationScope();
              const prompt = executorPrompt(
                prefix,
                doneRounds,
                { phase, text: s.planPrefix },
                s.k,
                settings.executorStrategy,
              );
              const run = scope.run(() => execute(phase, s.k, prompt, true));
              run.catch(() => undefined); // observed later (or cancelled as stale)
              early.set(key, { signal: s, scope, run });
            }
            if (stopWatching) return;
          }
        })()
      : Promise.resolve();

    activity = 'planning';
    let planResult: PlanCallResult | undefined;
    for (let t = 1; t <= tries; t++) {
      currentTry = t;
      let queueUsed = '';
      const result = await plannerRouter.call((queue, sts) => {
        queueUsed = queue;
        return modelActivities(
          queue,
          sts,
          `plan ${phase}${forced ? ' (forced answer)' : ''}${t > 1 ? ` (try ${t})` : ''}`,
        ).sprintPlan({
          prompt: plannerPromptText,
          phase,
          forcedFinal: forced,
          stop: plannerStops(settings),
          maxPrompts: settings.maxPromptsPerRound,
          planTry: t,
          streamSignals: streaming,
          ...sampling(phase, 0, t),
        });
      });
      calls.push({
        kind: 'plan',
        phase,
        try: t,
        queue: queueUsed,
        raw: result.raw,
        usage: result.usage,
        ...callTimingOf(result),
      });
      planResult = result;
      const tooLong = result.usage.completionTokens > settings.resample.planMaxTokens;
      if (!tooLong || t >= tries || result.plan.final !== undefined) break;
      calls[calls.length - 1]!.discarded =
        `plan of ${result.usage.completionTokens} tokens > ${settings.resample.planMaxTokens}: resampled`;
    }
    stopWatching = true;
    await watcher;
    const result = planResult!;
    const plan: Plan = result.plan;
    problems.push(...plan.problems.map((p) => `plan ${phase}: ${p}`));
    if (result.finishReason === 'length')
      problems.push(`plan ${phase}: cut at the token limit (${settings.maxTokensPerCall})`);
    for (const e of result.signalErrors ?? [])
      problems.push(`streaming signal lost (${e}): dispatched after the plan`);
    const planEndedAt = Date.now();

    if (plan.final !== undefined) {
      for (const e of early.values()) e.scope.cancel();
      return {
        phase,
        plan,
        executions: [],
        final: plan.final,
        forcedFinal: forced,
        calls,
        promptEndTokens: [],
        startedAt,
        planEndedAt,
        endedAt: planEndedAt,
        problems,
      };
    }
    if (forced) problems.push(`plan ${phase}: forced final answer came back without one`);

    // Executors: reuse streamed ones that match the kept plan; start the rest now, all together.
    activity = 'executing';
    const keptTry = calls.filter((c) => c.kind === 'plan').length;
    const outcomes = plan.prompts.map((p) => {
      const early1 = early.get(`${keptTry}/${result.attempt}/${p.index}`);
      if (early1 && plan.text.startsWith(early1.signal.planPrefix)) {
        early.delete(`${keptTry}/${result.attempt}/${p.index}`);
        return early1.run as ReturnType<typeof execute>;
      }
      const prompt = executorPrompt(prefix, doneRounds, plan, p.index, settings.executorStrategy);
      return execute(phase, p.index, prompt, false);
    });
    for (const [key, e] of early) {
      e.scope.cancel();
      problems.push(`streamed executor ${key} belonged to a replaced plan: cancelled`);
    }
    const results = await Promise.all(outcomes);
    const executions: string[] = [];
    results.forEach((r, i) => {
      calls.push(...r.calls);
      executions.push(r.result.text);
      for (const p of r.result.problems) problems.push(`execution ${phase}.${i + 1}: ${p}`);
      if (r.result.finishReason === 'length')
        problems.push(`execution ${phase}.${i + 1}: cut at the token limit`);
    });
    return {
      phase,
      plan,
      executions,
      forcedFinal: forced,
      calls,
      promptEndTokens: result.promptEndTokens,
      startedAt,
      planEndedAt,
      endedAt: Date.now(),
      problems,
    };
  }

  const recount = () => {
    transcript.tokens = accountSession(transcript.rounds.map(roundUsage));
  };

  async function writeTranscript(): Promise<ArtifactRef> {
    refreshRouting();
    return artifacts.putJsonArtifact(transcript, `sessions/${info.workflowId}/transcript`);
  }

  try {
    let roundsThisRun = 0;
    while (transcript.final === null) {
      const phase = transcript.rounds.length + 1;
      if (roundsThisRun >= settings.continueAsNewAfterRounds) {
        const ref = await writeTranscript();
        checkpoints.push(ref);
        await continueAsNew<typeof sessionWorkflow>({
          ...input,
          resume: {
            transcript: ref,
            plannerRoute: plannerRouter.state,
            executorRoute: executorRouter.state,
            checkpoints,
          },
        });
      }
      phaseNow = phase;
      const round = await runRound(phase, phase >= settings.maxPhases);
      transcript.rounds.push(round);
      roundsThisRun += 1;
      if (round.final !== undefined) transcript.final = round.final;
      recount();
      refreshRouting();
      activity = 'idle';
      updateAttributes();
    }
    transcript.status = 'completed';
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    transcript.status = isCancellation(err) ? 'cancelled' : 'failed';
    transcript.endedAt = Date.now();
    if (!isCancellation(err)) transcript.problems.push(`session failed: ${(err as Error).message}`);
    await CancellationScope.nonCancellable(async () => {
      updateAttributes();
      await writeTranscript();
    });
    throw err;
  }
  transcript.endedAt = Date.now();
  updateAttributes();
  const ref = await writeTranscript();
  const kept = asRounds(transcript.rounds);
  return {
    method: 'sprint',
    workflowId: info.workflowId,
    status: transcript.status,
    text: renderTrajectory({ rounds: kept, final: transcript.final }),
    finalAnswer: transcript.final,
    rounds: transcript.rounds.length,
    promptsPerRound: transcript.rounds.map((r) => r.executions.length),
    tokens: {
      sequential: transcript.tokens.sequential,
      sequentialStreaming: transcript.tokens.sequentialStreaming,
      total: transcript.tokens.total,
      prompt: transcript.tokens.prompt,
      cachedPrompt: transcript.tokens.cachedPrompt,
    },
    roundTokens: transcript.tokens.rounds.map((r, i) => ({
      phase: i + 1,
      sequential: r.sequential,
      sequentialStreaming: r.sequentialStreaming,
      total: r.total,
    })),
    wallMs: transcript.endedAt - transcript.startedAt,
    transcript: ref,
    problems: [...transcript.problems, ...transcript.rounds.flatMap((r) => r.problems)],
    routing: transcript.routing,
  };
}
