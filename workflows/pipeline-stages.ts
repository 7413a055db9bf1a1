/** The pipeline's stages, in order (own module: the CLI's option help lists them without the SDK). */
export const pipelineStages = ['curate', 'train', 'publish', 'evaluate'] as const;
export type PipelineStage = (typeof pipelineStages)[number];
