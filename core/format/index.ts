// The SPRINT tag format: pure parse/render (SPRINT.md section 2) and the loop's exact prompts (section 3).
export * from './plan';
export * from './trajectory';
export * from './prompts';
export * from './released';
