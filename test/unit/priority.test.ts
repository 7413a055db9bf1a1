import fc from 'fast-check';
import { ConfigError, parseConfig } from '../../config';
import { callRoles, priorityClassNames, priorityCommands } from '../../core/priority/classes';
import {
  apiKeyId,
  callPriority,
  callRoleOf,
  enginePriority,
  runPriority,
  type PriorityPolicy,
} from '../../core/priority/mapping';

const policy = (over: object = {}): PriorityPolicy => parseConfig({ priority: over }).priority;

function problemsOf(data: unknown): string[] {
  try {
    parseConfig(data);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** Any valid class table: interactive keys all below batch's primary key, within `levels`. */
const classTables = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }))
  .chain(([ip, idelta, gap]) =>
    fc.integer({ min: 0, max: 2 }).map((bdelta) => ({
      interactive: { primaryKey: ip, deferredKey: ip + idelta },
      batch: { primaryKey: ip + idelta + gap, deferredKey: ip + idelta + gap + bdelta },
    })),
  );

describe('priority classes of model calls', () => {
  it('defaults: serve and ask interactive (keys 1, 2); eval, curate, pipeline batch (3, 4)', () => {
    const p = policy();
    expect(p.commands).toEqual({
      serve: 'interactive',
      ask: 'interactive',
      eval: 'batch',
      curate: 'batch',
      pipeline: 'batch',
    });
    const served = runPriority(p, { command: 'serve', keyId: 'abcdef0123456789', runId: 'w1' });
    expect(served).toEqual({
      class: 'interactive',
      primaryKey: 1,
      deferredKey: 2,
      fairnessKey: 'key-abcdef0123456789',
      fairnessWeight: 1,
    });
    const evaluated = runPriority(p, { command: 'eval', runId: 'math-1' });
    expect(callPriority(evaluated, 'primary')).toEqual({
      priorityKey: 3,
      fairnessKey: 'eval-math-1',
      fairnessWeight: 1,
    });
    expect(callPriority(evaluated, 'resampled')?.priorityKey).toBe(4);
  });

  it('interactive always outranks batch, and a run its own primary calls over the rest', () => {
    fc.assert(
      fc.property(
        classTables,
        fc.constantFrom(...priorityCommands),
        fc.constantFrom(...priorityCommands),
        fc.constantFrom(...callRoles),
        fc.constantFrom(...callRoles),
        (classes, a, b, roleA, roleB) => {
          const p = policy({ levels: 12, classes, commands: { [a]: 'interactive', [b]: 'batch' } });
          const inter = runPriority(p, { command: a, runId: 'x' });
          const batch = runPriority(p, { command: b, runId: 'y' });
          // Only meaningful when the commands differ (a command has one class).
          if (a === b) return;
          expect(callPriority(inter, roleA)!.priorityKey).toBeLessThan(
            callPriority(batch, roleB)!.priorityKey,
          );
          expect(callPriority(inter, 'primary')!.priorityKey).toBeLessThanOrEqual(
            callPriority(inter, roleA)!.priorityKey,
          );
        },
      ),
    );
  });

  it('the class comes from the flag, then the API key entry, then the command', () => {
    const p = policy({ apiKeys: { '0123456789abcdef': { class: 'batch', fairnessWeight: 4 } } });
    const keyed = { command: 'serve' as const, keyId: '0123456789abcdef', runId: 'w' };
    expect(runPriority(p, keyed)).toMatchObject({ class: 'batch', primaryKey: 3, fairnessWeight: 4 });
    expect(runPriority(p, { ...keyed, class: 'interactive' })).toMatchObject({
      class: 'interactive',
      primaryKey: 1,
      fairnessWeight: 4,
    });
    expect(runPriority(p, { ...keyed, keyId: 'ffffffffffffffff' })).toMatchObject({
      class: 'interactive',
      fairnessWeight: 1,
    });
    expect(
      runPriority(policy({ commands: { eval: 'interactive' } }), { command: 'eval', runId: 'e' }),
    ).toMatchObject({ class: 'interactive' });
  });

  it('fairness keys fit Temporal (64 bytes) and never carry more than a key id', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200 }).map((s) => s.replace(/[^\w.-]/g, 'a')),
        (runId) => {
          const run = runPriority(policy(), { command: 'curate', runId });
          expect(run!.fairnessKey.length).toBeLessThanOrEqual(64);
          expect(run!.fairnessKey.startsWith('curate-')).toBe(true);
        },
      ),
    );
    const digest = 'a'.repeat(16) + 'b'.repeat(48);
    expect(apiKeyId(digest)).toBe('a'.repeat(16));
    expect(apiKeyId('')).toBe('anonymous');
  });

  it('off: no priority at all (the server default)', () => {
    const p = policy({ enabled: false });
    expect(runPriority(p, { command: 'serve', runId: 'w' })).toBeUndefined();
    expect(callPriority(undefined, 'primary')).toBeUndefined();
  });

  it('roles: a later try is resampled, a streamed executor speculative, the rest primary', () => {
    expect(callRoleOf({ try: 1 })).toBe('primary');
    expect(callRoleOf({ try: 1, streamed: false })).toBe('primary');
    expect(callRoleOf({ try: 1, streamed: true })).toBe('speculative');
    expect(callRoleOf({ try: 2, streamed: true })).toBe('resampled');
    expect(callRoleOf({ try: 3 })).toBe('resampled');
  });

  it('engines: the most urgent call is first in either order', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 10 })
          .chain((levels) =>
            fc.tuple(
              fc.constant(levels),
              fc.integer({ min: 1, max: levels }),
              fc.integer({ min: 1, max: levels }),
              fc.boolean(),
            ),
          ),
        ([levels, a, b, lowValuesFirst]) => {
          fc.pre(a < b);
          const ea = enginePriority(a, { levels, lowValuesFirst });
          const eb = enginePriority(b, { levels, lowValuesFirst });
          if (lowValuesFirst) expect(ea).toBeLessThan(eb);
          else expect(ea).toBeGreaterThan(eb);
          expect(Math.min(ea, eb)).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });

  it('refuses a table where interactive would not outrank batch, naming the field', () => {
    expect(problemsOf({ priority: { classes: { interactive: { deferredKey: 3 } } } })).toEqual([
      expect.stringContaining('priority.classes.interactive.deferredKey'),
    ]);
    expect(problemsOf({ priority: { classes: { batch: { primaryKey: 4, deferredKey: 6 } } } })).toEqual([
      expect.stringMatching(/priority\.classes\.batch\.deferredKey.*priority levels/),
    ]);
    expect(problemsOf({ priority: { classes: { batch: { deferredKey: 2 } } } })).toEqual(
      expect.arrayContaining([expect.stringContaining('priority.classes.batch.deferredKey')]),
    );
  });

  it('refuses an API key in place of its id, and engines of unknown or hosted pools', () => {
    const keyed = problemsOf({ priority: { apiKeys: { 'sk-live-secret': { class: 'batch' } } } });
    expect(keyed).toEqual([expect.stringMatching(/^priority\.apiKeys: 1 entry is not an API key id/)]);
    expect(keyed.join()).not.toContain('sk-live-secret');
    expect(problemsOf({ priority: { engines: { gpu: {} } } })).toEqual([
      expect.stringMatching(/priority\.engines\.gpu: no pool "gpu"/),
    ]);
    const hosted = {
      models: {
        pools: {
          local: { model: 'm', engine: 'openai', replicas: [{ name: 'r0', baseUrl: 'https://x/v1' }] },
        },
      },
      priority: { engines: { local: {} } },
    };
    expect(problemsOf(hosted)).toEqual([
      expect.stringContaining('priority.engines.local: a hosted OpenAI pool'),
    ]);
  });

  it('every class name is usable in the config', () => {
    for (const c of priorityClassNames) expect(policy({ commands: { ask: c } }).commands.ask).toBe(c);
  });
});
