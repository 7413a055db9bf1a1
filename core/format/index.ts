// The SPRINT tag format: pure parse/render (docs/sprint-format.md#tag-format) and the loop's exact prompts (docs/sprint-format.md#inference-loop).
export * from './plan';
export * from './trajectory';
export * from './prompts';
export * from './released';
