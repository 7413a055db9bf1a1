import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFingerprint, ConfigError, parseConfig, queuePrefix, sessionRunInput } from '../../config';
import { DEFAULT_SYSTEM_PROMPT, resolveSessionSettings } from '../../config/schema/session';

describe('session config section', () => {
  it('has the paper defaults, the released profile, a fan-out cap and a session budget', () => {
    const config = parseConfig({}, 'test');
    expect(config.session).toMatchObject({
      profile: 'released',
      maxPhases: 12,
      maxTokensPerCall: 8000,
      temperature: 0.6,
      maxConcurrentExecutors: 5,
      streamingDispatch: false,
      resample: { planMaxTokens: 1000, executionMaxTokens: 2000, maxTries: 3 },
      sequentialMaxTokens: 36_000,
    });
    expect(config.session.maxPromptsPerRound).toBe(32);
    expect(config.session.budget).toEqual({ maxCalls: 1000, maxTokens: 4_000_000 });
  });

  it('the released profile is the released loop (docs/sprint-format.md#released-inference-loop); platform is the project loop', () => {
    expect(resolveSessionSettings({})).toMatchObject({
      profile: 'released',
      executorStrategy: 'reorder',
      releasedStops: true,
      replyHandling: 'released',
      finalAnswerEarlyStop: true,
      resample: {
        enabled: true,
        includeFinal: true,
        planMaxTokens: 1000,
        executionMaxTokens: 2000,
        maxTries: 3,
      },
      systemPrompt: DEFAULT_SYSTEM_PROMPT,
    });
    expect(resolveSessionSettings({ profile: 'platform' })).toMatchObject({
      executorStrategy: 'shared-prefix',
      releasedStops: false,
      replyHandling: 'platform',
      finalAnswerEarlyStop: false,
      resample: { enabled: false, includeFinal: false },
    });
    // A field set explicitly wins over the profile.
    expect(resolveSessionSettings({ executorStrategy: 'shared-prefix' }).executorStrategy).toBe(
      'shared-prefix',
    );
  });

  it('a profile given for one run switches every field the config left unset', () => {
    const config = parseConfig({ session: { temperature: 0.2 } }, 'test');
    const input = sessionRunInput(config, 'q', { settings: { profile: 'platform' } });
    expect(resolveSessionSettings(input.settings)).toMatchObject({
      temperature: 0.2,
      executorStrategy: 'shared-prefix',
      replyHandling: 'platform',
    });
  });

  it('reads session.systemPromptFile into the input as is; a missing file is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprint-prompt-'));
    const file = join(dir, 'global_agent_prompt.txt');
    writeFileSync(file, 'You are the planner.\nKeep tags.\n');
    const config = parseConfig({ session: { systemPromptFile: file } }, 'test');
    const input = sessionRunInput(config, 'q');
    expect(input.settings.systemPrompt).toBe('You are the planner.\nKeep tags.\n');
    expect(input.settings.systemPromptFile).toBeUndefined();
    expect(resolveSessionSettings(input.settings).systemPrompt).toBe('You are the planner.\nKeep tags.\n');
    const missing = parseConfig({ session: { systemPromptFile: join(dir, 'nope.txt') } }, 'test');
    expect(() => sessionRunInput(missing, 'q')).toThrow(/session\.systemPromptFile: cannot read .*nope\.txt/);
    // An unread file never silently falls back to another prompt.
    expect(() => resolveSessionSettings({ systemPromptFile: file })).toThrow(/was not read/);
    expect(() => parseConfig({ session: { systemPrompt: 'a', systemPromptFile: file } }, 'test')).toThrow(
      /session\.systemPromptFile: give systemPrompt or systemPromptFile, not both/,
    );
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
    // Queue names carry the deployment's prefix (config/deployment.ts), custom replica queues too.
    const pre = queuePrefix(config);
    expect(pre).toMatch(/^[0-9a-f]{8}\.$/);
    expect(input.routing.planner).toEqual({
      pool: 'big',
      model: 'planner-model',
      sharedQueue: `${pre}sprint-llm-big`,
      replicas: [{ name: 'a', taskQueue: `${pre}sprint-llm-big-a` }],
      // Named by a call that no worker takes (session.pickupTimeoutMs).
      fingerprint: configFingerprint(config),
    });
    expect(input.routing.executor.replicas.map((r) => r.taskQueue)).toEqual([
      `${pre}sprint-llm-small-x`,
      `${pre}custom-y`,
    ]);
    expect(input.settings).toMatchObject({ temperature: 0.3, maxPhases: 5 });
    const json = JSON.stringify(input);
    expect(json).not.toContain('http://');
    expect(json).not.toContain('BIG_KEY');
  });
});
