import type { PoolRoute } from '../../config/queues';
import type { SessionSettingsInput } from '../../config/schema/session';
import type { ArtifactRef } from '../../core/artifact-ref';
import type { MethodRunInput } from '../../core/method-result';
import type { PromptHead } from '../../core/session/prompt-parts';
import type { RouteState } from '../routing';

/** Queue routes of the planner and executor pools (from `poolRoute`: queue names, no URLs or keys). */
export interface SessionRouting {
  planner: PoolRoute;
  executor: PoolRoute;
}

/** Where a session left off at continue-as-new: everything by reference or as small routing state. */
export interface SessionResume {
  transcript: ArtifactRef;
  plannerRoute: RouteState;
  executorRoute: RouteState;
  checkpoints: ArtifactRef[];
  /** The last stored planner prompt, which later prompts continue (long sessions only). */
  promptHead?: PromptHead;
  /** The transcript's rounds, in order, when too large to travel with it (long sessions only). */
  roundBatches?: ArtifactRef[];
}

export interface SessionInput extends MethodRunInput {
  /** Session settings (config section `session`); missing fields take their defaults. */
  settings?: SessionSettingsInput;
  /** Queue names of the planner and executor pools (from `poolRoute`); default the pool's shared queue. */
  routing?: SessionRouting;
  /** Set by continue-as-new: the transcript so far, by reference. */
  resume?: SessionResume;
}
