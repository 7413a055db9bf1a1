/**
 * TEST DOUBLES of the session workflow's model-call activities (`sprintPlan`, `sprintExecute`): an
 * LLM engine cannot run here. Each session (by workflow id, so it survives continue-as-new) gets a
 * script of replies; every call is recorded with its input, attempt and how it ended, so a test
 * can check which calls the workflow made. The shapes are the activities' own (core/session-types.ts),
 * checked against the real activities' type: a changed call shape fails to compile here.
 */
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { SprintActivities } from '../../activities/sprint';
import { buildPlan, parsePlan, promptCloseTag, renderPlan } from '../../core/format';
import {
  PROMPT_CLOSED_SIGNAL,
  type CallPromptText,
  type CallTiming,
  type ExecuteCallInput,
  type ExecuteCallResult,
  type PlanCallInput,
  type PlanCallResult,
  type PromptClosed,
} from '../../core/session-types';

/** The model-call activities the session workflow schedules. */
export type ModelCallActivities = Pick<SprintActivities, 'sprintPlan' | 'sprintExecute'>;

/** What the doubled engine answers: the reply text and, when it matters, its length in tokens. */
export interface Reply {
  text: string;
  /** Completion tokens (default: one per whitespace-separated word). */
  completionTokens?: number;
}

/** What a script can do while it answers a call. */
export interface CallContext {
  /** Temporal's attempt number of this call (1 on the first). */
  attempt: number;
  /** The call's prompt as one string (short sessions keep every piece inline). */
  prompt: string;
  /**
   * Sends the signal the streaming planner sends when `</prompt_p.k>` closes (phase, plan try and
   * attempt filled in from this call), as the real activity does, through a Temporal client.
   */
  promptClosed(k: number, planPrefix: string): Promise<void>;
  /** Heartbeats until the workflow cancels this call, then rejects with the cancellation. */
  untilCancelled(): Promise<never>;
}

export interface SessionScript {
  plan(input: PlanCallInput, call: CallContext): Reply | Promise<Reply>;
  execute(input: ExecuteCallInput, call: CallContext): Reply | Promise<Reply>;
}

/**
 * How a call ended: `cancelled` only when the workflow asked for it; `abandoned` when it stopped
 * for another reason (its workflow ended, its worker shut down, it timed out).
 */
export type CallOutcome = 'running' | 'returned' | 'failed' | 'cancelled' | 'abandoned';

interface RecordedCallBase {
  workflowId: string;
  runId: string;
  attempt: number;
  outcome: CallOutcome;
  /** Wall clock (ms) when the double was called and when it finished. */
  startedAt: number;
  endedAt?: number;
}

export type RecordedCall =
  | (RecordedCallBase & { kind: 'plan'; input: PlanCallInput })
  | (RecordedCallBase & { kind: 'execute'; input: ExecuteCallInput });

/** A well-formed plan reply of phase `phase`: free text and prompts in order (prompts numbered p.1..). */
export function planReply(
  phase: number,
  parts: (string | { prompt: string })[],
  completionTokens?: number,
): Reply {
  const text = renderPlan(buildPlan(phase, parts));
  return completionTokens === undefined ? { text } : { text, completionTokens };
}

/** The plan text up to and including `</prompt_p.k>`: what the streaming planner signals for prompt k. */
export function planPrefixThrough(reply: Reply, phase: number, k: number): string {
  const { text } = parsePlan(reply.text, phase);
  const end = text.indexOf(promptCloseTag(phase, k));
  if (end < 0) throw new Error(`plan ${phase} has no prompt ${phase}.${k}`);
  return text.slice(0, end + promptCloseTag(phase, k).length);
}

/** The text of a call's prompt; a stored piece means the session grew past what these tests expect. */
export function promptText(prompt: CallPromptText): string {
  const pieces = typeof prompt === 'string' ? [prompt] : prompt;
  return pieces
    .map((p) => {
      if (typeof p !== 'string') throw new Error('session double: a prompt piece is stored, not inline');
      return p;
    })
    .join('');
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Where and when a doubled call ran, as the real activities report it. */
function timing(startedAt: number, attempt: number, finishReason: string): CallTiming {
  const endedAt = Date.now();
  return {
    startedAt,
    endedAt,
    latencyMs: endedAt - startedAt,
    pool: 'doubled',
    replica: 'doubled-0',
    attempt,
    finishReason,
  };
}

/** The planner's result for a reply, read as the platform rules read it (core/format parsePlan). */
export function planResult(
  input: PlanCallInput,
  reply: Reply,
  startedAt: number,
  attempt: number,
): PlanCallResult {
  if (input.replies === 'released')
    throw new Error('session double: reads replies by the platform rules only (settings.profile: platform)');
  const raw = input.forcedFinal ? `<Final_answer>\n${reply.text}` : reply.text;
  const plan = parsePlan(
    raw,
    input.phase,
    input.maxPrompts !== undefined ? { maxPrompts: input.maxPrompts } : {},
  );
  const completionTokens = reply.completionTokens ?? wordCount(reply.text);
  return {
    raw,
    plan,
    usage: { promptTokens: wordCount(promptText(input.prompt)), completionTokens },
    promptEndTokens: plan.prompts.map(() => completionTokens),
    streamed: input.streamSignals,
    ...timing(startedAt, attempt, 'stop'),
  };
}

export function executeResult(
  input: ExecuteCallInput,
  reply: Reply,
  startedAt: number,
  attempt: number,
): ExecuteCallResult {
  return {
    raw: reply.text,
    text: reply.text.trim(),
    problems: [],
    usage: {
      promptTokens: wordCount(promptText(input.prompt)),
      completionTokens: reply.completionTokens ?? wordCount(reply.text),
    },
    ...timing(startedAt, attempt, 'stop'),
  };
}

/** The doubles for one worker: scripts by workflow id, and every call they answered. */
export class SessionDoubles {
  readonly calls: RecordedCall[] = [];
  private readonly scripts = new Map<string, SessionScript>();

  /** `signals` is the client the planner double signals the workflow through (streaming dispatch). */
  constructor(private readonly signals: Client) {}

  /** Sets the script of the session with this workflow id (before it starts). */
  script(workflowId: string, script: SessionScript): void {
    this.scripts.set(workflowId, script);
  }

  /** The calls of one session, in the order they were made. */
  callsOf(workflowId: string): RecordedCall[] {
    return this.calls.filter((c) => c.workflowId === workflowId);
  }

  activities(): ModelCallActivities {
    const doubles = {
      sprintPlan: (input: PlanCallInput): Promise<PlanCallResult> =>
        this.answer({ kind: 'plan', input }, (script, call) => script.plan(input, call), planResult),
      sprintExecute: (input: ExecuteCallInput): Promise<ExecuteCallResult> =>
        this.answer({ kind: 'execute', input }, (script, call) => script.execute(input, call), executeResult),
    } satisfies ModelCallActivities;
    return doubles;
  }

  private async answer<I extends PlanCallInput | ExecuteCallInput, R>(
    what: { kind: 'plan'; input: PlanCallInput } | { kind: 'execute'; input: ExecuteCallInput },
    ask: (script: SessionScript, call: CallContext) => Reply | Promise<Reply>,
    result: (input: I, reply: Reply, startedAt: number, attempt: number) => R,
  ): Promise<R> {
    const ctx = Context.current();
    const execution = ctx.info.workflowExecution;
    if (!execution) throw new Error('session double: called outside a workflow');
    const { workflowId, runId } = execution;
    const script = this.scripts.get(workflowId);
    if (!script) throw new Error(`session double: no script for workflow ${workflowId}`);
    const attempt = ctx.info.attempt;
    const startedAt = Date.now();
    const record: RecordedCall = { ...what, workflowId, runId, attempt, outcome: 'running', startedAt };
    this.calls.push(record);
    const call: CallContext = {
      attempt,
      prompt: promptText(what.input.prompt),
      promptClosed: async (k, planPrefix) => {
        if (what.kind !== 'plan') throw new Error('session double: only the planner signals closed prompts');
        const signal: PromptClosed = {
          phase: what.input.phase,
          planTry: what.input.planTry,
          attempt,
          k,
          planPrefix,
          tokensSoFar: wordCount(planPrefix),
        };
        await this.signals.workflow.getHandle(workflowId, runId).signal(PROMPT_CLOSED_SIGNAL, signal);
      },
      untilCancelled: async () => {
        const beat = setInterval(() => ctx.heartbeat(), 100);
        try {
          return await ctx.cancelled;
        } finally {
          clearInterval(beat);
        }
      },
    };
    try {
      const reply = await ask(script, call);
      record.outcome = 'returned';
      return result(what.input as I, reply, startedAt, attempt);
    } catch (err) {
      if (!(err instanceof CancelledFailure)) record.outcome = 'failed';
      else record.outcome = ctx.cancellationDetails?.cancelRequested ? 'cancelled' : 'abandoned';
      throw err;
    } finally {
      record.endedAt = Date.now();
    }
  }
}

/** `plan 2` / `execute 2.1`, with the attempt when it is not the first: the calls a session made, in order. */
export function callNames(calls: RecordedCall[]): string[] {
  return calls.map((c) => {
    const name = c.kind === 'plan' ? `plan ${c.input.phase}` : `execute ${c.input.phase}.${c.input.k}`;
    return c.attempt > 1 ? `${name} (attempt ${c.attempt})` : name;
  });
}
