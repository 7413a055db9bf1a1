import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../../activities/artifacts';
import type { SessionSettings } from '../../config/schema/session';
import { accountSession } from '../../core/accounting';
import type { ArtifactRef } from '../../core/artifact-ref';
import { roundUsage } from '../../core/session/rounds';
import { newTranscript, routeSnapshot, sessionProgress } from '../../core/session/transcript';
import type { RoundRecord, SessionProgress, SessionTranscript } from '../../core/session-types';
import { StickyRouter } from '../routing';
import { publishSessionAttributes } from './attributes';
import type { SessionInput, SessionResume, SessionRouting } from './types';

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

  private constructor(
    readonly transcript: SessionTranscript,
    readonly checkpoints: ArtifactRef[],
    private readonly routing: SessionRouting,
    stickyScheduleToStartMs: number,
    resume: SessionResume | undefined,
    private readonly artifacts: ArtifactActivities,
  ) {
    const workflowId = workflowInfo().workflowId;
    this.phase = transcript.rounds.length;
    this.plannerRouter = new StickyRouter(
      routing.planner,
      workflowId,
      stickyScheduleToStartMs,
      resume?.plannerRoute,
      (from, to) => this.transcript.problems.push(`planner queue ${from} had no worker: moved to ${to}`),
    );
    this.executorRouter =
      routing.planner.pool === routing.executor.pool
        ? this.plannerRouter
        : new StickyRouter(
            routing.executor,
            workflowId,
            stickyScheduleToStartMs,
            resume?.executorRoute,
            (from, to) =>
              this.transcript.problems.push(`executor queue ${from} had no worker: moved to ${to}`),
          );
    this.refreshRouting();
  }

  /** A new session's state, or the one continue-as-new left in the artifact store. */
  static async restore(
    input: SessionInput,
    settings: SessionSettings,
    routing: SessionRouting,
  ): Promise<SessionState> {
    const info = workflowInfo();
    const artifacts = proxyActivities<ArtifactActivities>({
      taskQueue: info.taskQueue,
      startToCloseTimeout: 60_000,
      retry: { maximumAttempts: 5 },
    });
    let transcript: SessionTranscript;
    if (input.resume) {
      transcript = (await artifacts.getJsonArtifact(input.resume.transcript)) as SessionTranscript;
      transcript.runs += 1;
    } else {
      transcript = newTranscript({
        workflowId: info.workflowId,
        question: input.question,
        startedAt: Date.now(),
        settings: { ...settings },
        planner: routing.planner,
        executor: routing.executor,
      });
    }
    const checkpoints = [...(input.resume?.checkpoints ?? [])];
    return new SessionState(
      transcript,
      checkpoints,
      routing,
      settings.stickyScheduleToStartMs,
      input.resume,
      artifacts,
    );
  }

  progress(): SessionProgress {
    return sessionProgress(this.transcript, this.phase, this.activity, this.checkpoints);
  }

  publishAttributes(): void {
    publishSessionAttributes(this.transcript, this.routing.planner);
  }

  startRound(phase: number): void {
    this.phase = phase;
  }

  /** Records a finished round: final answer, token accounting, routing, search attributes. */
  finishRound(round: RoundRecord): void {
    this.transcript.rounds.push(round);
    if (round.final !== undefined) this.transcript.final = round.final;
    this.transcript.tokens = accountSession(this.transcript.rounds.map(roundUsage));
    this.refreshRouting();
    this.activity = 'idle';
    this.publishAttributes();
  }

  /** Writes the transcript (with current routing) to the artifact store, under the workflow id. */
  async writeTranscript(): Promise<ArtifactRef> {
    this.refreshRouting();
    return this.artifacts.putJsonArtifact(
      this.transcript,
      `sessions/${workflowInfo().workflowId}/transcript`,
    );
  }

  /** Writes a checkpoint and returns where the next run resumes from. */
  async checkpoint(): Promise<SessionResume> {
    const ref = await this.writeTranscript();
    this.checkpoints.push(ref);
    return {
      transcript: ref,
      plannerRoute: this.plannerRouter.state,
      executorRoute: this.executorRouter.state,
      checkpoints: this.checkpoints,
    };
  }

  private refreshRouting(): void {
    this.transcript.routing = {
      planner: routeSnapshot(this.plannerRouter),
      executor: routeSnapshot(this.executorRouter),
    };
  }
}
