import type { SprintConfig } from './schema';

/**
 * The sequence length of a tiny model's run (`--tiny`) when neither the command nor the config
 * names one: the length curation keeps samples under (`curation.maxSampleTokens`), so a dataset
 * this config curated fits the trainer. The CPU recipe's own 512 suits the demo's short traces
 * (config/demo.yaml sets it) and would drop every sample of the default traces.
 */
export function tinyMaxLength(config: SprintConfig): number | undefined {
  return config.training.hyperparameters.maxLength === undefined
    ? config.curation.maxSampleTokens
    : undefined;
}
