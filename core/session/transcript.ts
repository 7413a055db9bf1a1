/*
 * Pure construction of a session's transcript, progress and result. The workflow owns the
 * transcript object and mutates it round by round; these functions build the shapes around it.
 */
import { accountSession } from '../accounting';
import type { ArtifactRef } from '../artifact-ref';
import { renderTrajectory } from '../format';
import type { RouteSnapshot, SessionProgress, SessionResult, SessionTranscript } from '../session-types';
import type { SessionText } from '../stored-text';
import { PAYLOAD_BUDGET_CHARS } from './payload-limits';
import { promptRounds } from './rounds';

/** Where a router places calls now (structurally the routing module's route and state). */
export interface RoutePlacement {
  route: { pool: string; model: string };
  state: { replica?: string | undefined; queue: string; failedOver: boolean };
}

/** The transcript's record of a router. */
export function routeSnapshot({ route, state }: RoutePlacement): RouteSnapshot {
  return {
    pool: route.pool,
    model: route.model,
    ...(state.replica ? { replica: state.replica } : {}),
    queue: state.queue,
    failedOver: state.failedOver,
  };
}

/** The transcript of a session's first run, before any round. */
export function newTranscript<T extends SessionText = string>(args: {
  workflowId: string;
  question: string;
  startedAt: number;
  settings: SessionTranscript['settings'];
  planner: { pool: string; model: string };
  executor: { pool: string; model: string };
}): SessionTranscript<T> {
  const unplaced = (r: { pool: string; model: string }): RouteSnapshot => ({
    pool: r.pool,
    model: r.model,
    queue: '',
    failedOver: false,
  });
  return {
    version: 1,
    workflowId: args.workflowId,
    question: args.question,
    status: 'running',
    startedAt: args.startedAt,
    runs: 1,
    settings: args.settings,
    routing: { planner: unplaced(args.planner), executor: unplaced(args.executor) },
    rounds: [],
    final: null,
    problems: [],
    tokens: accountSession([]),
  };
}

/** What the `progress` query answers for a transcript in the making. */
export function sessionProgress(
  t: SessionTranscript<SessionText>,
  phase: number,
  activity: SessionProgress['activity'],
  checkpoints: ArtifactRef[],
  roundsFrom = 0,
  budgetChars = PAYLOAD_BUDGET_CHARS,
): SessionProgress {
  // Rounds from `roundsFrom` on, as many as fit the budget (always at least one, whose own texts
  // past the reply threshold are stored): a follower asks again from where this answer ended.
  const from = Math.max(0, Math.min(Math.trunc(roundsFrom) || 0, t.rounds.length));
  const rounds: SessionTranscript<SessionText>['rounds'] = [];
  let used = 0;
  for (const r of t.rounds.slice(from)) {
    const size = JSON.stringify(r).length;
    if (rounds.length > 0 && used + size > budgetChars) break;
    rounds.push(r);
    used += size;
  }
  return {
    workflowId: t.workflowId,
    question: t.question,
    status: t.status,
    phase,
    activity,
    rounds,
    roundsFrom: from,
    roundCount: t.rounds.length,
    final: t.final,
    tokens: t.tokens,
    problems: t.problems,
    routing: t.routing,
    startedAt: t.startedAt,
    runs: t.runs,
    checkpoints,
  };
}

/**
 * The result of a finished session: the trajectory of its kept rounds, its answer, tokens (session
 * and per round), and every problem (session-level first, then each round's in order).
 */
export function sessionResult(t: SessionTranscript, transcript: ArtifactRef, endedAt: number): SessionResult;
/** The same, with the trajectory text as written with the transcript (stored when long). */
export function sessionResult(
  t: SessionTranscript<SessionText>,
  transcript: ArtifactRef,
  endedAt: number,
  text: SessionText,
): SessionResult;
export function sessionResult(
  t: SessionTranscript<SessionText>,
  transcript: ArtifactRef,
  endedAt: number,
  text?: SessionText,
): SessionResult {
  return {
    method: 'sprint',
    workflowId: t.workflowId,
    status: t.status,
    text: text ?? renderTrajectory({ rounds: promptRounds((t as SessionTranscript).rounds), final: t.final }),
    finalAnswer: t.final,
    rounds: t.rounds.length,
    promptsPerRound: t.rounds.map((r) => r.executions.length),
    tokens: {
      sequential: t.tokens.sequential,
      sequentialStreaming: t.tokens.sequentialStreaming,
      total: t.tokens.total,
      prompt: t.tokens.prompt,
      cachedPrompt: t.tokens.cachedPrompt,
    },
    roundTokens: t.tokens.rounds.map((r, i) => ({
      phase: i + 1,
      sequential: r.sequential,
      sequentialStreaming: r.sequentialStreaming,
      total: r.total,
    })),
    wallMs: endedAt - t.startedAt,
    transcript,
    problems: [...t.problems, ...t.rounds.flatMap((r) => r.problems)],
    routing: t.routing,
  };
}
