// Grading is pure, but `equivalence` loads the CAS: import `core/grading` from activities, and the
// light modules (`extract`, `normalize`, `countdown`) directly from workflows.
export * from './extract';
export * from './normalize';
export * from './countdown';
export * from './equivalence';
export * from './grade';
