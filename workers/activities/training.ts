import type { SprintConfig } from '../../config/schema';
import { createArtifactActivities } from '../../activities/artifacts';
import { createProbeActivities } from '../../activities/probe';
import { createPublishActivities } from '../../activities/publish';
import { createTrainingActivities } from '../../activities/training';
import { ArtifactStore } from '../../io/artifacts';

/** The training worker's activities: job launch and watch, Hub publishing. */
export function trainingActivities(config: SprintConfig) {
  const store = new ArtifactStore(config.artifacts.root);
  return {
    ...createProbeActivities('training'),
    ...createArtifactActivities(store),
    ...createTrainingActivities({
      training: config.training,
      hubTokenEnv: config.hub.tokenEnv,
      artifactsRoot: config.artifacts.root,
    }),
    ...createPublishActivities({ hub: config.hub }),
  };
}
