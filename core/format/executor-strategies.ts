/**
 * How executor prompts carry the plan (core/format/prompts.ts `executorPromptTail`): the one list
 * the config schema, `sprint ask --strategy` and the prompt builder take. Own module: the CLI's
 * option help lists them without loading the format code.
 */
export const executorStrategies = ['shared-prefix', 'reorder'] as const;
export type ExecutorStrategy = (typeof executorStrategies)[number];
