/*
 * The closed sets of curation settings, each one list for the config schema, the CLI's flags and
 * the code that acts on them. Own module: the CLI's option help lists them without loading curation.
 */

/** Who splits traces into steps and builds their DAG: the rule-based extractor, or the configured models. */
export const extractorKinds = ['offline', 'llm'] as const;
export type ExtractorKind = (typeof extractorKinds)[number];

/** Training-sample layouts: the released SPRINT layout, or this project's earlier one. */
export const sampleFormats = ['released', 'legacy'] as const;
export type SampleFormat = (typeof sampleFormats)[number];

/**
 * Which tokens of an added serving-call record carry the loss. `reply`: the call's reply only (its
 * prompt is the session's prompt for that call). `context`: everything after the question (the
 * record's prompt is the sample's own: system instructions and question); the plan and the opened
 * tags before the reply are trained too. The text is the same either way.
 */
export const servingCallsLosses = ['reply', 'context'] as const;
export type ServingCallsLoss = (typeof servingCallsLosses)[number];
