/** The pipeline's stages, in order (own module: the CLI's option help lists them without the SDK). */
export const pipelineStages = ['curate', 'train', 'publish', 'evaluate'] as const;
export type PipelineStage = (typeof pipelineStages)[number];

/** A stage's child workflow id (for training, also its run id: the run's folder under training.runsDir). */
export const stageWorkflowId = (pipelineId: string, stage: PipelineStage): string => `${pipelineId}-${stage}`;
