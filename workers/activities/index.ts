/*
 * The activities each worker role registers. Dependencies (store, clients, secrets from this
 * process's environment) are resolved in the role's module, once per worker, and injected into the
 * factories. Each role's module is loaded only when a worker of that role is created: the control
 * worker alone would otherwise load the curation, training, Hub and model-client code of every
 * other role before its first poll (about 2 s of a cold start on a loaded machine).
 */
import type { WorkerRole } from '../roles';

type ControlModule = typeof import('./control');
type CurationModule = typeof import('./curation');
type TrainingModule = typeof import('./training');
type LlmModule = typeof import('./llm');

/* eslint-disable @typescript-eslint/no-require-imports -- lazy by design (see above); require(), not
   import(), because tsc compiles to CommonJS and tsx/jest run the .ts sources through require. */
export function loadControlActivities(): ControlModule['controlActivities'] {
  return (require('./control') as ControlModule).controlActivities;
}

export function loadCurationActivities(): CurationModule['curationActivities'] {
  return (require('./curation') as CurationModule).curationActivities;
}

export function loadTrainingActivities(): TrainingModule['trainingActivities'] {
  return (require('./training') as TrainingModule).trainingActivities;
}

export function loadLlmActivities(): LlmModule['llmActivities'] {
  return (require('./llm') as LlmModule).llmActivities;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Loads the activity modules of the given roles now (`all`: every role), so a caller can do it
 * while something else waits, such as the worker's connection to Temporal (see cli/in-process.ts).
 * The loaders above then find them in the module cache.
 */
export function preloadActivities(roles: readonly WorkerRole[]): void {
  const all = roles.includes('all');
  if (all || roles.includes('control')) loadControlActivities();
  if (all || roles.includes('curation')) loadCurationActivities();
  if (all || roles.includes('training')) loadTrainingActivities();
  if (all || roles.includes('llm')) loadLlmActivities();
}
