/** Methods a pipeline can be compared against (`sprint pipeline --compare`): parsing needs them without loading the action. */
export const compareMethods = ['sequential'] as const;
export type CompareMethod = (typeof compareMethods)[number];
