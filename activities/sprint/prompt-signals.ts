import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { parsePlan } from '../../core/format';
import type { StreamedChunks } from '../../core/session/prompt-end-tokens';
import { PROMPT_CLOSED_SIGNAL, type PlanCallInput, type PromptClosed } from '../../core/session-types';

/*
 * Streaming dispatch from the planner's side: while the plan streams in, each newly closed
 * `</prompt_p.k>` is signalled to the calling workflow (sprintPromptClosed), which starts that
 * executor from the plan written so far. Signals go out one after another; one that cannot be
 * delivered is recorded (the workflow then dispatches after the plan) and never fails the call.
 */

/** The workflow run to signal, and the client to signal it with. */
export interface SignalTarget {
  workflowId: string;
  runId: string;
  signalClient: () => Promise<Client>;
}

/** Prompt-closed signals of one planner call: feed `onDelta` to the stream, then await `sent()`. */
export class PromptClosedSignals {
  /** Signals that could not be delivered, in words. */
  readonly errors: string[] = [];
  private chunks = 0;
  private readonly chunkAtPrompt: number[] = [];
  private signalled = 0;
  private scanFrom = 0;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly target: SignalTarget,
    private readonly call: Pick<PlanCallInput, 'phase' | 'planTry' | 'maxPrompts'> & { attempt: number },
  ) {}

  /** Takes one streamed delta; signals the prompts it closed. */
  readonly onDelta = (_delta: string, textSoFar: string): void => {
    this.chunks += 1;
    // Look for newly closed prompts only in the fresh tail (a tag may straddle two deltas).
    const closeRe = /<\/prompt_[^>\s]*>/g;
    closeRe.lastIndex = Math.max(0, this.scanFrom - 20);
    let last = -1;
    for (let m = closeRe.exec(textSoFar); m; m = closeRe.exec(textSoFar)) last = m.index + m[0].length;
    this.scanFrom = textSoFar.length;
    if (last < 0) return;
    const { phase, maxPrompts } = this.call;
    const partial = parsePlan(
      textSoFar.slice(0, last),
      phase,
      maxPrompts !== undefined ? { maxPrompts } : {},
    );
    if (partial.final !== undefined) return;
    while (this.signalled < partial.prompts.length) {
      this.signalled += 1;
      this.chunkAtPrompt.push(this.chunks);
      const k = this.signalled;
      const tag = `</prompt_${phase}.${k}>`;
      const end = partial.text.indexOf(tag);
      this.send({
        phase,
        planTry: this.call.planTry,
        attempt: this.call.attempt,
        k,
        planPrefix: end < 0 ? partial.text : partial.text.slice(0, end + tag.length),
        tokensSoFar: this.chunks,
      });
    }
  };

  /** Resolves once every signal so far was delivered or recorded as lost. */
  async sent(): Promise<void> {
    await this.sending;
  }

  /** Chunks streamed in all and when each prompt closed (core/session/prompt-end-tokens.ts). */
  get streamed(): StreamedChunks {
    return { total: this.chunks, atPrompt: this.chunkAtPrompt };
  }

  private send(payload: PromptClosed): void {
    const { workflowId, runId, signalClient } = this.target;
    this.sending = this.sending.then(async () => {
      try {
        const client = await signalClient();
        await client.workflow.getHandle(workflowId, runId).signal(PROMPT_CLOSED_SIGNAL, payload);
      } catch (err) {
        const error = (err as Error).message;
        this.errors.push(`prompt ${payload.phase}.${payload.k}: ${error}`);
        log.warn('streaming dispatch signal failed', { workflowId, k: payload.k, error });
      }
    });
  }
}
