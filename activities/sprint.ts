import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { executorPromptTail } from '../core/format';
import { readExecuteCallReply, readPlanCallReply } from '../core/session/call-replies';
import { promptEndTokens } from '../core/session/prompt-end-tokens';
import type {
  ExecuteCallInput,
  ExecuteCallResult,
  ExecutorTail,
  PlanCallInput,
  PlanCallResult,
  SamplingInput,
  SessionText,
} from '../core/session-types';
import type { EngineOrder } from '../core/priority/mapping';
import type { ArtifactStore } from '../io/artifacts';
import type { ModelClient } from '../io/model-client';
import { readCallPrompt, readSessionText, storeIfLonger } from '../io/session-texts';
import { StoredTextCache, type TextReader } from '../io/stored-text-cache';
import { callTiming, complete, type CompletionTarget } from './sprint/completion';
import { planCallResult, storePlanTexts } from './sprint/plan-result';
import { PromptClosedSignals } from './sprint/prompt-signals';
import { startStoringPrompt } from './sprint/prompt-storing';

/*
 * The SPRINT planner and executor activities, bound to one replica (registered by its llm worker on
 * the replica's queue and the pool's shared queue). Each is one raw completion through ModelClient
 * (sprint/completion.ts); its reply is read by the loop policy its input names
 * (core/session/policies).
 */

export interface SprintActivityDeps {
  client: ModelClient;
  pool: string;
  replica: string;
  heartbeatIntervalMs?: number;
  /** Temporal client for streaming dispatch signals (created lazily by the worker; absent: no signals). */
  signalClient?: () => Promise<Client>;
  /**
   * The artifact store shared with the control worker: long sessions pass prompts and replies
   * through it (core/session/payload-limits.ts). Absent: such a call fails with ArtifactMissing.
   */
  store?: ArtifactStore;
  /** Tell the engine each call's priority (config priority.engines); absent: not told. */
  enginePriority?: EngineOrder | undefined;
}

/** When this activity attempt started, and which attempt it is. */
function started(): { at: number; attempt: number } {
  return { at: Date.now(), attempt: Context.current().info.attempt };
}

/**
 * The prompt-closed signals of a planner call that asked for them, when they can be sent: a
 * forced answer has no prompts, and signals need a client and a calling workflow.
 */
function promptSignalsFor(
  deps: SprintActivityDeps,
  input: PlanCallInput,
  attempt: number,
): PromptClosedSignals | undefined {
  const execution = Context.current().info.workflowExecution;
  if (!input.streamSignals || input.forcedFinal || !deps.signalClient || !execution) return undefined;
  return new PromptClosedSignals(
    { workflowId: execution.workflowId, runId: execution.runId, signalClient: deps.signalClient },
    { phase: input.phase, planTry: input.planTry, maxPrompts: input.maxPrompts, attempt },
  );
}

/** Keeps a text this worker just stored in its cache, so the calls that continue it skip the file system. */
function remember(cache: StoredTextCache | undefined, stored: SessionText | undefined, text: string): void {
  if (cache && stored !== undefined && typeof stored !== 'string') cache.remember(stored.stored, text);
}

/** An executor's whole prompt: its prompt, then the tail rendered from a stored plan (if any). */
async function executorPrompt(
  store: TextReader | undefined,
  input: { prompt: ExecuteCallInput['prompt']; tail?: ExecutorTail | undefined },
): Promise<string> {
  const prompt = await readCallPrompt(store, input.prompt);
  if (!input.tail) return prompt;
  const { phase, planText, k, strategy } = input.tail;
  return prompt + executorPromptTail({ phase, text: await readSessionText(store, planText) }, k, strategy);
}

export function createSprintActivities(deps: SprintActivityDeps) {
  const target: CompletionTarget = {
    client: deps.client,
    pool: deps.pool,
    replica: deps.replica,
    heartbeatIntervalMs: deps.heartbeatIntervalMs ?? 1000,
    enginePriority: deps.enginePriority,
  };
  // Stored prompts and plans are read through a cache: a round's executors share them.
  const storedTexts = deps.store ? new StoredTextCache(deps.store) : undefined;

  return {
    /** One planner turn: continues the assistant turn up to the stops it is given; the reply read by the policy `replies` names. */
    async sprintPlan(input: PlanCallInput): Promise<PlanCallResult> {
      const start = started();
      const prompt = await readCallPrompt(storedTexts, input.prompt);
      const promptStoring = startStoringPrompt(deps.store, input, prompt);
      const signals = promptSignalsFor(deps, input, start.attempt);
      const completion = await complete(target, prompt, input, {
        stop: input.stop,
        onDelta: signals?.onDelta,
      });
      await signals?.sent();
      const { raw, reading } = readPlanCallReply(input, completion.text);
      const endTokens = promptEndTokens(reading.plan, completion.usage.completionTokens, signals?.streamed);
      const texts = await storePlanTexts(deps.store, input.storeRepliesPast, {
        raw,
        planText: reading.plan.text,
        promptStoring,
      });
      remember(storedTexts, texts.promptStored, prompt);
      remember(storedTexts, texts.planTextStored, reading.plan.text);
      remember(storedTexts, texts.raw, raw);
      return planCallResult({
        texts,
        reading,
        completion,
        promptEndTokens: endTokens,
        streamed: signals !== undefined,
        signalErrors: signals?.errors ?? [],
        timing: callTiming(target, start, completion),
      });
    },

    /** One executor: the prompt ends in the opened `<execution_p.k>` tag; the reply cleaned by the policy `replies` names. */
    async sprintExecute(input: ExecuteCallInput): Promise<ExecuteCallResult> {
      const start = started();
      const prompt = await executorPrompt(storedTexts, input);
      const completion = await complete(target, prompt, input, { stop: input.stop });
      const cleaned = readExecuteCallReply(input, completion.text);
      const raw = await storeIfLonger(deps.store, completion.text, input.storeRepliesPast);
      const text = await storeIfLonger(deps.store, cleaned.text, input.storeRepliesPast);
      remember(storedTexts, raw, completion.text);
      remember(storedTexts, text, cleaned.text);
      return {
        raw,
        text,
        problems: cleaned.problems,
        usage: completion.usage,
        ...callTiming(target, start, completion),
      };
    },

    /** The sequential baseline: one plain completion. */
    async sprintSequential(input: { prompt: string } & SamplingInput) {
      const start = started();
      const completion = await complete(target, input.prompt, input);
      return { raw: completion.text, usage: completion.usage, ...callTiming(target, start, completion) };
    },
  };
}

export type SprintActivities = ReturnType<typeof createSprintActivities>;
