import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { estimatePromptEndTokens } from '../core/accounting';
import {
  executorPromptTail,
  parseExecutionOutput,
  parsePlan,
  releasedExecutionOutput,
  releasedPlannerReply,
  type Plan,
} from '../core/format';
import {
  PROMPT_CLOSED_SIGNAL,
  type CallTiming,
  type ExecuteCallInput,
  type ExecuteCallResult,
  type PlanCallInput,
  type PlanCallResult,
  type PromptClosed,
  type SamplingInput,
} from '../core/session-types';
import { withActivityCall } from './llm';
import type { ArtifactStore } from '../io/artifacts';
import type { CompletionRequest, ModelClient } from '../io/model-client';
import { readCallPrompt, readSessionText, storeIfLonger, storeText } from '../io/session-texts';

/*
 * The SPRINT planner and executor activities, bound to one replica (registered by its llm worker on
 * the replica's queue and the pool's shared queue). Each is one raw completion through ModelClient,
 * heartbeating while it waits (a dead worker is noticed within the heartbeat timeout and the call is
 * retried elsewhere) and aborted when the workflow cancels it.
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
}

/** Character offsets of the end of each prompt's closing tag in a canonical plan text. */
function promptEndOffsets(plan: Plan): number[] {
  return plan.prompts.map((p) => {
    const tag = `</prompt_${plan.phase}.${p.index}>`;
    const at = plan.text.indexOf(tag);
    return at < 0 ? plan.text.length : at + tag.length;
  });
}

function samplingOf(input: SamplingInput): Omit<CompletionRequest, 'prompt' | 'stop'> {
  return {
    maxTokens: input.maxTokens,
    temperature: input.temperature,
    ...(input.topP !== undefined ? { topP: input.topP } : {}),
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
  };
}

export function createSprintActivities(deps: SprintActivityDeps) {
  const interval = deps.heartbeatIntervalMs ?? 1000;
  /** Where and when a call ran, as every sprint activity reports it. */
  const timing = (
    startedAt: number,
    attempt: number,
    result: { latencyMs: number; finishReason: string },
  ): CallTiming => ({
    startedAt,
    endedAt: Date.now(),
    latencyMs: result.latencyMs,
    pool: deps.pool,
    replica: deps.replica,
    attempt,
    finishReason: result.finishReason,
  });

  return {
    /** One planner turn: continues the assistant turn up to the stops it is given; the reply read as `replies` says. */
    async sprintPlan(input: PlanCallInput): Promise<PlanCallResult> {
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      const startedAt = Date.now();
      const prompt = await readCallPrompt(deps.store, input.prompt);
      const request: CompletionRequest = { prompt, stop: input.stop, ...samplingOf(input) };
      // A long prompt is stored for the round's executors and the next planner to continue by
      // reference; written while the engine works, so it adds nothing to the call's time.
      const promptStoring =
        !input.forcedFinal && input.storePromptPast !== undefined && prompt.length > input.storePromptPast
          ? storeText(deps.store, prompt)
          : undefined;
      promptStoring?.catch(() => undefined); // awaited below; a failure is reported there
      const parseOptions = input.maxPrompts !== undefined ? { maxPrompts: input.maxPrompts } : {};
      const signalErrors: string[] = [];
      const streaming =
        input.streamSignals &&
        !input.forcedFinal &&
        deps.signalClient !== undefined &&
        ctx.info.workflowExecution !== undefined;
      let chunks = 0;
      const chunkAtPrompt: number[] = [];
      let signalled = 0;
      let chain: Promise<void> = Promise.resolve();
      let scanFrom = 0;
      const { workflowId, runId } = ctx.info.workflowExecution ?? { workflowId: '', runId: '' };

      const onDelta = (_delta: string, textSoFar: string) => {
        chunks += 1;
        // Look for newly closed prompts only in the fresh tail (a tag may straddle two deltas).
        const closeRe = /<\/prompt_[^>\s]*>/g;
        closeRe.lastIndex = Math.max(0, scanFrom - 20);
        let last = -1;
        for (let m = closeRe.exec(textSoFar); m; m = closeRe.exec(textSoFar)) last = m.index + m[0].length;
        scanFrom = textSoFar.length;
        if (last < 0) return;
        const partial = parsePlan(textSoFar.slice(0, last), input.phase, parseOptions);
        if (partial.final !== undefined) return;
        while (signalled < partial.prompts.length) {
          signalled += 1;
          chunkAtPrompt.push(chunks);
          const k = signalled;
          const tag = `</prompt_${input.phase}.${k}>`;
          const end = partial.text.indexOf(tag);
          const payload: PromptClosed = {
            phase: input.phase,
            planTry: input.planTry,
            attempt,
            k,
            planPrefix: end < 0 ? partial.text : partial.text.slice(0, end + tag.length),
            tokensSoFar: chunks,
          };
          chain = chain.then(async () => {
            try {
              const client = await deps.signalClient!();
              await client.workflow.getHandle(workflowId, runId).signal(PROMPT_CLOSED_SIGNAL, payload);
            } catch (err) {
              signalErrors.push(`prompt ${input.phase}.${k}: ${(err as Error).message}`);
              log.warn('streaming dispatch signal failed', { workflowId, k, error: (err as Error).message });
            }
          });
        }
      };

      const result = await withActivityCall(interval, (signal) =>
        deps.client.complete(request, streaming ? { signal, onDelta } : { signal }),
      );
      await chain;
      const raw = input.forcedFinal ? `<Final_answer>\n${result.text}` : result.text;
      let plan: Plan;
      let retry: string | undefined;
      if (input.replies === 'released') {
        const read = releasedPlannerReply(raw, input.phase, input.lastTry ?? true, input.maxPrompts);
        if (read.kind === 'retry') {
          // Kept as a plan without prompts only so the result has one; the workflow tries again.
          plan = { phase: input.phase, text: raw.trim(), prompts: [], problems: [read.reason] };
          retry = read.reason;
        } else plan = read.plan;
      } else plan = parsePlan(raw, input.phase, parseOptions);
      const tokens = result.usage.completionTokens;
      // Measured offsets (stream chunks, scaled to the engine's token count) where streamed.
      const promptEndTokens =
        streaming && chunks > 0
          ? plan.prompts.map((_, i) =>
              Math.min(tokens, Math.ceil(((chunkAtPrompt[i] ?? chunks) * tokens) / chunks)),
            )
          : estimatePromptEndTokens(tokens, promptEndOffsets(plan), plan.text.length);
      const promptStored = await promptStoring;
      const planTextStored = await storeIfLonger(deps.store, plan.text, input.storeRepliesPast);
      return {
        raw: await storeIfLonger(deps.store, raw, input.storeRepliesPast),
        ...(promptStored !== undefined ? { promptStored } : {}),
        ...(typeof planTextStored !== 'string' ? { planTextStored } : {}),
        plan,
        usage: result.usage,
        promptEndTokens,
        streamed: streaming,
        ...(signalErrors.length ? { signalErrors } : {}),
        ...(retry !== undefined ? { retry } : {}),
        ...timing(startedAt, attempt, result),
      };
    },

    /** One executor: the prompt ends in the opened `<execution_p.k>` tag; the reply cleaned as `replies` says. */
    async sprintExecute(input: ExecuteCallInput): Promise<ExecuteCallResult> {
      const attempt = Context.current().info.attempt;
      const startedAt = Date.now();
      const tail = input.tail
        ? executorPromptTail(
            { phase: input.tail.phase, text: await readSessionText(deps.store, input.tail.planText) },
            input.tail.k,
            input.tail.strategy,
          )
        : '';
      const prompt = (await readCallPrompt(deps.store, input.prompt)) + tail;
      const result = await withActivityCall(interval, (signal) =>
        deps.client.complete({ prompt, stop: input.stop, ...samplingOf(input) }, { signal }),
      );
      const parsed =
        input.replies === 'released'
          ? releasedExecutionOutput(result.text)
          : parseExecutionOutput(result.text);
      return {
        raw: await storeIfLonger(deps.store, result.text, input.storeRepliesPast),
        text: await storeIfLonger(deps.store, parsed.text, input.storeRepliesPast),
        problems: parsed.problems,
        usage: result.usage,
        ...timing(startedAt, attempt, result),
      };
    },

    /** The sequential baseline: one plain completion. */
    async sprintSequential(input: { prompt: string } & SamplingInput) {
      const attempt = Context.current().info.attempt;
      const startedAt = Date.now();
      const result = await withActivityCall(interval, (signal) =>
        deps.client.complete({ prompt: input.prompt, ...samplingOf(input) }, { signal }),
      );
      return {
        raw: result.text,
        usage: result.usage,
        ...timing(startedAt, attempt, result),
      };
    },
  };
}

export type SprintActivities = ReturnType<typeof createSprintActivities>;
