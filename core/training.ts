/** Name of the signal a training watcher sends its workflow with live progress (step, loss, ...). */
export const TRAINING_PROGRESS_SIGNAL = 'trainingProgress';

/** Where a trainer job runs: a local process, a Docker container, or a Kubernetes Job. */
export const launcherKinds = ['local', 'docker', 'kubernetes'] as const;
export type LauncherKind = (typeof launcherKinds)[number];
