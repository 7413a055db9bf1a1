/*
 * The type names of the application failures this platform throws, named once. Activities throw
 * `ApplicationFailure`s with these types and workflows list them in `nonRetryableErrorTypes`, so a
 * renamed or mistyped error type is a compile error instead of a retry loop. Names only (core is
 * pure); the values are part of recorded histories and of what clients match on: never change them.
 */
export const ErrorType = {
  /** A model call the engine refused for good (4xx other than 408/409/429). */
  ModelCall: 'ModelCallError',
  /** A model call that may succeed later (timeouts, connection errors, 429, 5xx). */
  ModelCallRetryable: 'ModelCallRetryable',
  /** An artifact ref that points at nothing in the worker's store. */
  ArtifactMissing: 'ArtifactMissing',
  /** An artifact whose content no longer matches its hash. */
  ArtifactCorrupt: 'ArtifactCorrupt',
  /** Curation input records that cannot be read. */
  CurationInput: 'CurationInputError',
  /** Curation settings that cannot work (extractor, DAG builder). */
  CurationConfig: 'CurationConfigError',
  BadTrainingInput: 'BadTrainingInput',
  /** A training job that failed past its restart limit. */
  TrainingJobFailed: 'TrainingJobFailed',
  BadPublishInput: 'BadPublishInput',
  /** A benchmark file that cannot be loaded. */
  BenchmarkLoad: 'BenchmarkLoadError',
  BadEvaluationInput: 'BadEvaluationInput',
  /** Method settings (SoT, SC) that do not fit their schema. */
  BadMethodSettings: 'BadMethodSettings',
  BadPipelineInput: 'BadPipelineInput',
  /** A model call no worker picked up within `session.pickupTimeoutMs` (core/pollers.ts names the queue). */
  NoWorkerPickedUp: 'NoWorkerPickedUp',
} as const;

export type ErrorTypeName = (typeof ErrorType)[keyof typeof ErrorType];
