import { ConfigError, parseConfig, sessionRunInput } from '../../config';

describe('session config section', () => {
  it('has the paper defaults', () => {
    const config = parseConfig({}, 'test');
    expect(config.session).toMatchObject({
      executorStrategy: 'shared-prefix',
      maxPhases: 12,
      maxTokensPerCall: 8000,
      temperature: 0.6,
      maxPromptsPerRound: 16,
      streamingDispatch: false,
      resample: { enabled: false, planMaxTokens: 1000, executionMaxTokens: 2000, maxTries: 3 },
      sequentialMaxTokens: 36_000,
    });
  });

  it('reports a wrong field by its path', () => {
    expect(() => parseConfig({ session: { executorStrategy: 'broadcast' } }, 'test')).toThrow(ConfigError);
    expect(() => parseConfig({ session: { maxPhases: 0 } }, 'test')).toThrow(/session\.maxPhases/);
    expect(() => parseConfig({ session: { resample: { tries: 3 } } }, 'test')).toThrow(
      /session\.resample: unknown field\(s\) "tries"/,
    );
  });

  it('builds a secret-free workflow input with the pools of the planner and executor roles', () => {
    const config = parseConfig(
      {
        models: {
          pools: {
            big: {
              model: 'planner-model',
              apiKeyEnv: 'BIG_KEY',
              replicas: [{ name: 'a', baseUrl: 'http://gpu-a:8000/v1' }],
            },
            small: {
              model: 'exec-model',
              replicas: [
                { name: 'x', baseUrl: 'http://gpu-x:8000/v1' },
                { name: 'y', baseUrl: 'http://gpu-y:8000/v1', taskQueue: 'custom-y' },
              ],
            },
          },
          roles: { planner: 'big', executor: 'small', extractor: 'big', dag: 'big' },
        },
        session: { temperature: 0.3 },
      },
      'test',
    );
    const input = sessionRunInput(config, 'q', { settings: { maxPhases: 5 } });
    expect(input.routing.planner).toEqual({
      pool: 'big',
      model: 'planner-model',
      sharedQueue: 'sprint-llm-big',
      replicas: [{ name: 'a', taskQueue: 'sprint-llm-big-a' }],
    });
    expect(input.routing.executor.replicas.map((r) => r.taskQueue)).toEqual([
      'sprint-llm-small-x',
      'custom-y',
    ]);
    expect(input.settings).toMatchObject({ temperature: 0.3, maxPhases: 5 });
    const json = JSON.stringify(input);
    expect(json).not.toContain('http://');
    expect(json).not.toContain('BIG_KEY');
  });
});
