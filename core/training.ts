/** Name of the signal a training watcher sends its workflow with live progress (step, loss, ...). */
export const TRAINING_PROGRESS_SIGNAL = 'trainingProgress';
