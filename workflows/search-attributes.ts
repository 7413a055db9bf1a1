import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/*
 * The project's typed search attributes. SQL visibility (SQLite in dev, PostgreSQL in a cluster)
 * allows at most 3 Int, 3 Double and 10 Keyword custom attributes per namespace, so the numeric
 * ones are shared across workflow kinds with one meaning each:
 *   SprintProgress: units of work done (rounds of a session, traces of a curation, problems of an
 *   evaluation, steps of a training run).
 */
export const SprintKind = defineSearchAttributeKey('SprintKind', SearchAttributeType.KEYWORD);
export const SprintStatus = defineSearchAttributeKey('SprintStatus', SearchAttributeType.KEYWORD);
export const SprintModel = defineSearchAttributeKey('SprintModel', SearchAttributeType.KEYWORD);
export const SprintDataset = defineSearchAttributeKey('SprintDataset', SearchAttributeType.KEYWORD);
export const SprintPipeline = defineSearchAttributeKey('SprintPipeline', SearchAttributeType.KEYWORD);
export const SprintBenchmark = defineSearchAttributeKey('SprintBenchmark', SearchAttributeType.KEYWORD);
export const SprintMethod = defineSearchAttributeKey('SprintMethod', SearchAttributeType.KEYWORD);
export const SprintPool = defineSearchAttributeKey('SprintPool', SearchAttributeType.KEYWORD);
export const SprintProgress = defineSearchAttributeKey('SprintProgress', SearchAttributeType.INT);
export const SprintSequentialTokens = defineSearchAttributeKey(
  'SprintSequentialTokens',
  SearchAttributeType.INT,
);
export const SprintTotalTokens = defineSearchAttributeKey('SprintTotalTokens', SearchAttributeType.INT);
export const SprintAccuracy = defineSearchAttributeKey('SprintAccuracy', SearchAttributeType.DOUBLE);
export const SprintKeptFraction = defineSearchAttributeKey('SprintKeptFraction', SearchAttributeType.DOUBLE);
export const SprintLoss = defineSearchAttributeKey('SprintLoss', SearchAttributeType.DOUBLE);

/** Registration list (name and the CLI's type word), used by the dev server setup. */
export const searchAttributeDefinitions: { name: string; type: 'Keyword' | 'Int' | 'Double' }[] = [
  SprintKind,
  SprintStatus,
  SprintModel,
  SprintDataset,
  SprintPipeline,
  SprintBenchmark,
  SprintMethod,
  SprintPool,
  SprintProgress,
  SprintSequentialTokens,
  SprintTotalTokens,
  SprintAccuracy,
  SprintKeptFraction,
  SprintLoss,
].map((key) => ({
  name: key.name,
  type:
    key.type === SearchAttributeType.INT
      ? 'Int'
      : key.type === SearchAttributeType.DOUBLE
        ? 'Double'
        : 'Keyword',
}));
