import {
  devServerDynamicConfig,
  devServerSqlitePragmas,
  devServerTuningArgs,
} from '../../infra/temporal/dev-server-tuning';

describe('dev server tuning (issue 16)', () => {
  it('passes dynamic config values as JSON and pragmas as NAME=VALUE, in the CLI flag syntax', () => {
    expect(
      devServerTuningArgs({ dynamicConfig: devServerDynamicConfig, sqlitePragmas: devServerSqlitePragmas }),
    ).toEqual([
      '--dynamic-config-value',
      'matching.numTaskqueueReadPartitions=1',
      '--dynamic-config-value',
      'matching.numTaskqueueWritePartitions=1',
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    ]);
    expect(devServerTuningArgs({ dynamicConfig: { 'x.name': 'text' }, sqlitePragmas: {} })).toEqual([
      '--dynamic-config-value',
      'x.name="text"',
    ]);
  });
});
