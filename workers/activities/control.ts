import type { SprintConfig } from '../../config/schema';
import { createArtifactActivities } from '../../activities/artifacts';
import { createEvaluationActivities } from '../../activities/evaluation';
import { createPipelineActivities } from '../../activities/pipeline';
import { createProbeActivities } from '../../activities/probe';
import { createSessionTextActivities } from '../../activities/session-texts';
import { ArtifactStore } from '../../io/artifacts';

/** The control worker's activities: artifacts, long sessions' texts, evaluation, pipeline helpers. */
export function controlActivities(config: SprintConfig) {
  const store = new ArtifactStore(config.artifacts.root);
  return {
    ...createProbeActivities('control'),
    ...createArtifactActivities(store),
    ...createSessionTextActivities(store),
    ...createEvaluationActivities({ config, store }),
    ...createPipelineActivities(),
  };
}
