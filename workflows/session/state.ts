import { patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../../activities/artifacts';
import type { SessionTextActivities } from '../../activities/session-texts';
import type { SessionSettings } from '../../config/schema/session';
import { accountSession } from '../../core/accounting';
import type { ArtifactRef } from '../../core/artifact-ref';
import {
  PAYLOAD_BUDGET_CHARS,
  STORE_PROMPT_PAST,
  STORE_REPLIES_PAST,
} from '../../core/session/payload-limits';
import type { PromptHead } from '../../core/session/prompt-parts';
import { roundUsage } from '../../core/session/rounds';
import { batchRounds, replaceText, textAt, textsToStore } from '../../core/session/spill';
import { newTranscript, routeSnapshot, sessionProgress } from '../../core/session/transcript';
import type {
  CallTextLimits,
  RoundRecord,
  SessionProgress,
  SessionText,
  SessionTranscript,
} from '../../core/session-types';
import { StickyRouter, type PickupLimits } from '../routing';
import { publishSessionAttributes } from './attributes';
import type { SessionInput, SessionResume, SessionRouting } from './types';

/**
 * The transcript written by a local activity on the control worker (issue 28): a session's last
 * step then costs no activity task round trip through the server and no extra workflow task
 * (about 25 ms of every session's wall-clock on the dev machine). A worker lost mid-write
 * retries the workflow task and with it the write, which is idempotent (content-addressed file, a
 * key set to the same ref). Histories from before it wrote through an activity: `patched`
 * keeps them replaying that way.
 */
export const LOCAL_TRANSCRIPT_WRITE_PATCH = 'session-transcript-local-write';

/**
 * The round that ends a session publishes no search attributes of its own (issue 28): the final
 * ones follow in the same workflow task and replace every key, so that upsert was one more command
 * and event on the session's last task. It also implies the local transcript write, so a new session's
 * last task records one patch marker, not two. Histories from before publish twice: `patched` keeps
 * them replaying that way.
 */
export const FINAL_ATTRIBUTES_ONCE_PATCH = 'session-final-attributes-once';

/** What a session's state is made from (SessionState.restore gathers it). */
interface SessionStateParts {
  transcript: SessionTranscript<SessionText>;
  checkpoints: ArtifactRef[];
  routing: SessionRouting;
  pickup: PickupLimits;
  /** Where the previous run left off (absent: a new session). */
  resume: SessionResume | undefined;
  artifacts: ArtifactActivities;
  texts: SessionTextActivities;
  /** The same activities run as local activities on the workflow's own worker. */
  localTexts: SessionTextActivities;
  byReference: boolean;
}

/**
 * Everything a session run knows and changes: the transcript (restored from the artifact store after
 * continue-as-new), the checkpoints written so far, the phase and activity shown by the progress
 * query, and the two routers. Rounds read it and report back through its methods, so every change
 * to the shared state is a named step here.
 */
export class SessionState {
  /** Phase being worked on (0 before the first round of the first run). */
  phase: number;
  activity: SessionProgress['activity'] = 'idle';
  readonly plannerRouter: StickyRouter;
  /** The planner's router when both roles share a pool, so executors follow its replica and failover. */
  readonly executorRouter: StickyRouter;
  /** How model calls move long texts through the artifact store (none in histories from before). */
  readonly textLimits: CallTextLimits;
  /** The last planner prompt a model call stored: later prompts continue it by reference. */
  promptHead: PromptHead | undefined;

  readonly transcript: SessionTranscript<SessionText>;
  readonly checkpoints: ArtifactRef[];
  private readonly routing: SessionRouting;
  private readonly artifacts: ArtifactActivities;
  private readonly texts: SessionTextActivities;
  private readonly localTexts: SessionTextActivities;
  /** Long texts go by reference (core/session/payload-limits.ts); false replays older histories as they ran. */
  private readonly byReference: boolean;

  private constructor(parts: SessionStateParts) {
    const { transcript, routing, resume, pickup } = parts;
    this.transcript = transcript;
    this.checkpoints = parts.checkpoints;
    this.routing = routing;
    this.artifacts = parts.artifacts;
    this.texts = parts.texts;
    this.localTexts = parts.localTexts;
    this.byReference = parts.byReference;
    const workflowId = workflowInfo().workflowId;
    this.textLimits = parts.byReference
      ? { storeRepliesPast: STORE_REPLIES_PAST, storePromptPast: STORE_PROMPT_PAST }
      : {};
    this.promptHead = resume?.promptHead;
    this.phase = transcript.rounds.length;
    this.plannerRouter = new StickyRouter(
      routing.planner,
      workflowId,
      pickup,
      resume?.plannerRoute,
      (from, to) => this.transcript.problems.push(`planner queue ${from} had no worker: moved to ${to}`),
      (problem) => this.transcript.problems.push(problem),
    );
    this.executorRouter =
      routing.planner.pool === routing.executor.pool
        ? this.plannerRouter
        : new StickyRouter(
            routing.executor,
            workflowId,
            pickup,
            resume?.executorRoute,
            (from, to) =>
              this.transcript.problems.push(`executor queue ${from} had no worker: moved to ${to}`),
            (problem) => this.transcript.problems.push(problem),
          );
    this.refreshRouting();
  }

  /** A new session's state, or the one continue-as-new left in the artifact store. */
  static async restore(
    input: SessionInput,
    settings: SessionSettings,
    routing: SessionRouting,
    byReference: boolean,
  ): Promise<SessionState> {
    const info = workflowInfo();
    const options = {
      taskQueue: info.taskQueue,
      startToCloseTimeout: 60_000,
      retry: { maximumAttempts: 5 },
    };
    const artifacts = proxyActivities<ArtifactActivities>(options);
    const texts = proxyActivities<SessionTextActivities>(options);
    const localTexts = proxyLocalActivities<SessionTextActivities>({
      startToCloseTimeout: options.startToCloseTimeout,
      retry: options.retry,
    });
    let transcript: SessionTranscript<SessionText>;
    if (input.resume) {
      transcript = (await artifacts.getJsonArtifact(
        input.resume.transcript,
      )) as SessionTranscript<SessionText>;
      // A long session's rounds come in batches, each within a payload.
      const batches = input.resume.roundBatches ?? [];
      if (batches.length) {
        const read = await Promise.all(batches.map((b) => artifacts.getJsonArtifact(b)));
        transcript.rounds = (read as RoundRecord<SessionText>[][]).flat();
      }
      transcript.runs += 1;
    } else {
      transcript = newTranscript<SessionText>({
        workflowId: info.workflowId,
        question: input.question,
        startedAt: Date.now(),
        settings: { ...settings },
        planner: routing.planner,
        executor: routing.executor,
      });
    }
    const checkpoints = [...(input.resume?.checkpoints ?? [])];
    return new SessionState({
      transcript,
      checkpoints,
      routing,
      pickup: settings,
      resume: input.resume,
      artifacts,
      texts,
      localTexts,
      byReference,
    });
  }

  /** The progress query's answer: rounds from `roundsFrom` on, within the payload budget. */
  progress(roundsFrom = 0): SessionProgress {
    return sessionProgress(this.transcript, this.phase, this.activity, this.checkpoints, roundsFrom);
  }

  publishAttributes(): void {
    publishSessionAttributes(this.transcript, this.routing.planner);
  }

  startRound(phase: number): void {
    this.phase = phase;
  }

  /** Records a finished round: final answer, token accounting, routing, search attributes. */
  finishRound(round: RoundRecord<SessionText>): void {
    this.transcript.rounds.push(round);
    if (round.final !== undefined) this.transcript.final = round.final;
    this.transcript.tokens = accountSession(this.transcript.rounds.map(roundUsage));
    this.refreshRouting();
    this.activity = 'idle';
    // The session's last round: the final attributes are published right after, in this task.
    if (this.transcript.final !== null && patched(FINAL_ATTRIBUTES_ONCE_PATCH)) return;
    this.publishAttributes();
  }

  /**
   * Writes the transcript (with current routing) to the artifact store, under the workflow id, with
   * every stored text read back; `text` is the trajectory for the result (stored when long). Older
   * histories wrote the transcript as is and rendered the text in the workflow (`text` absent).
   */
  async writeTranscript(): Promise<{ ref: ArtifactRef; text?: SessionText }> {
    this.refreshRouting();
    const key = `sessions/${workflowInfo().workflowId}/transcript`;
    if (!this.byReference) return { ref: await this.artifacts.putJsonArtifact(this.transcript, key) };
    const { transcript, roundBatches } = await this.transcriptPayload();
    const local = patched(FINAL_ATTRIBUTES_ONCE_PATCH) || patched(LOCAL_TRANSCRIPT_WRITE_PATCH);
    const writer = local ? this.localTexts : this.texts;
    const written = await writer.writeSessionTranscript(transcript, key, roundBatches);
    return { ref: written.transcript, text: written.text };
  }

  /** Writes a checkpoint and returns where the next run resumes from. */
  async checkpoint(): Promise<SessionResume> {
    let ref: ArtifactRef;
    let batches: ArtifactRef[] | undefined;
    if (this.byReference) {
      // The next run reads this back as its input: it keeps its references (and fits payloads).
      this.refreshRouting();
      const { transcript, roundBatches } = await this.transcriptPayload();
      ref = await this.artifacts.putJsonArtifact(transcript);
      batches = roundBatches;
    } else ref = (await this.writeTranscript()).ref;
    this.checkpoints.push(ref);
    return {
      transcript: ref,
      plannerRoute: this.plannerRouter.state,
      executorRoute: this.executorRouter.state,
      checkpoints: this.checkpoints,
      ...(this.promptHead ? { promptHead: this.promptHead } : {}),
      ...(batches ? { roundBatches: batches } : {}),
    };
  }

  /**
   * The transcript as it can leave the workflow: its longest replies stored, and, when it is still
   * over the payload budget, its rounds stored in batches (each within a payload) beside it.
   */
  private async transcriptPayload(): Promise<{
    transcript: SessionTranscript<SessionText>;
    roundBatches?: ArtifactRef[];
  }> {
    await this.boundInlineTexts();
    if (JSON.stringify(this.transcript).length <= PAYLOAD_BUDGET_CHARS)
      return { transcript: this.transcript };
    const batches = batchRounds(this.transcript.rounds, PAYLOAD_BUDGET_CHARS);
    const roundBatches = await Promise.all(batches.map((b) => this.artifacts.putJsonArtifact(b)));
    return { transcript: { ...this.transcript, rounds: [] }, roundBatches };
  }

  /** Stores the longest inline replies until the transcript fits one payload (core/session/spill.ts). */
  private async boundInlineTexts(): Promise<void> {
    const places = textsToStore(this.transcript, PAYLOAD_BUDGET_CHARS);
    // In batches that each fit a payload themselves.
    let batch: typeof places = [];
    let chars = 0;
    const flush = async () => {
      if (!batch.length) return;
      const stored = await this.texts.storeSessionTexts(batch.map((p) => textAt(this.transcript, p)));
      batch.forEach((p, i) => replaceText(this.transcript, p, stored[i]!));
      batch = [];
      chars = 0;
    };
    for (const p of places) {
      const n = textAt(this.transcript, p).length;
      if (batch.length && chars + n > PAYLOAD_BUDGET_CHARS) await flush();
      batch.push(p);
      chars += n;
    }
    await flush();
  }

  private refreshRouting(): void {
    this.transcript.routing = {
      planner: routeSnapshot(this.plannerRouter),
      executor: routeSnapshot(this.executorRouter),
    };
  }
}
