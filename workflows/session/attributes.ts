import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SessionText, SessionTranscript } from '../../core/session-types';
import {
  SprintKind,
  SprintMethod,
  SprintModel,
  SprintPool,
  SprintProgress,
  SprintSequentialTokens,
  SprintStatus,
  SprintTotalTokens,
} from '../search-attributes';

/** Publishes a session's status, progress and tokens as search attributes (filterable in the UI). */
export function publishSessionAttributes(
  t: SessionTranscript<SessionText>,
  planner: { pool: string; model: string },
): void {
  upsertSearchAttributes([
    { key: SprintKind, value: 'session' },
    { key: SprintMethod, value: 'sprint' },
    { key: SprintStatus, value: t.status },
    { key: SprintModel, value: planner.model },
    { key: SprintPool, value: planner.pool },
    { key: SprintProgress, value: t.rounds.length },
    { key: SprintSequentialTokens, value: t.tokens.sequential },
    { key: SprintTotalTokens, value: t.tokens.total },
  ]);
}
