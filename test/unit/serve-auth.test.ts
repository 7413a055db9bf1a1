import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiKeyCheck, ApiKeyError, loadApiKeys } from '../../serve/auth';
import { ConcurrencyLimit } from '../../serve/concurrency';
import fc from 'fast-check';
import { startedFor, workflowIdFor } from '../../serve/runs';

function keyFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-keys-')), 'keys');
  fs.writeFileSync(file, text);
  return file;
}

describe('API keys', () => {
  it('reads $SPRINT_API_KEYS (comma-separated) and a file (one a line, # comments)', () => {
    const file = keyFile('# team a\nkey-from-file\n\n  second-file-key  \n');
    expect(loadApiKeys({ env: { SPRINT_API_KEYS: ' k1, ,k2 ' }, file })).toEqual([
      'k1',
      'k2',
      'key-from-file',
      'second-file-key',
    ]);
    expect(loadApiKeys({ env: {} })).toEqual([]);
  });

  it('reports a bad file by path (and line) without printing any key', () => {
    expect(() => loadApiKeys({ file: '/nonexistent/keys' })).toThrow(
      'cannot read the API key file /nonexistent/keys: ENOENT',
    );
    const file = keyFile('good\nbad key here\n');
    let err: unknown;
    try {
      loadApiKeys({ file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiKeyError);
    expect((err as Error).message).toBe(`${file}:2: an API key cannot contain whitespace`);
  });

  it('accepts exactly `Bearer <one of the keys>`', () => {
    const check = new ApiKeyCheck(['alpha', 'beta']);
    expect(check.enabled).toBe(true);
    expect(check.allows('Bearer alpha')).toBe(true);
    expect(check.allows('bearer beta')).toBe(true);
    for (const h of [
      undefined,
      '',
      'alpha',
      'Bearer ',
      'Bearer alph',
      'Bearer alphaa',
      'Basic alpha',
      'Bearer alpha beta',
    ]) {
      expect(check.allows(h)).toBe(false);
    }
    expect(new ApiKeyCheck([]).enabled).toBe(false);
  });
});

describe('concurrency limit', () => {
  it('hands out at most max slots; a release (once, even if called twice) frees one', () => {
    const limit = new ConcurrencyLimit(2);
    const a = limit.tryAcquire();
    const b = limit.tryAcquire();
    expect(a && b).toBeTruthy();
    expect(limit.tryAcquire()).toBeUndefined();
    a!();
    a!();
    expect(limit.inUse).toBe(1);
    expect(limit.tryAcquire()).toBeDefined();
    expect(limit.tryAcquire()).toBeUndefined();
    expect(() => new ConcurrencyLimit(0)).toThrow('positive integer');
  });
});

describe('workflow ids', () => {
  it('the same Idempotency-Key gives the same id, without the key in it; no key gives a fresh one', () => {
    const id = workflowIdFor('retry-me-42');
    expect(id).toBe(workflowIdFor('retry-me-42'));
    expect(id).toMatch(/^serve-key-[0-9a-f]{40}-[0-9a-f]{16}$/);
    expect(id).not.toContain('retry-me');
    expect(workflowIdFor('retry-me-43')).not.toBe(id);
    expect(workflowIdFor(undefined)).not.toBe(workflowIdFor(undefined));
    // Scoped per caller: another API key with the same Idempotency-Key gets another workflow.
    const check = new ApiKeyCheck(['alpha', 'beta']);
    const alpha = check.callerOf('Bearer alpha');
    expect(alpha).toMatch(/^[0-9a-f]{64}$/);
    expect(alpha).not.toContain('alpha');
    expect(workflowIdFor('k', alpha)).toBe(workflowIdFor('k', check.callerOf('bearer  alpha')));
    expect(workflowIdFor('k', alpha)).not.toBe(workflowIdFor('k', check.callerOf('Bearer beta')));
  });
});

describe('who may read a served session', () => {
  const check = new ApiKeyCheck(['alpha', 'beta']);
  const alpha = check.callerOf('Bearer alpha');
  const beta = check.callerOf('Bearer beta');

  it('the key that started a run reads it; another key, or no key, does not', () => {
    for (const id of [workflowIdFor(undefined, alpha), workflowIdFor('retry-1', alpha)]) {
      expect(id).toMatch(/^serve-/);
      expect(startedFor(id, alpha)).toBe(true);
      expect(startedFor(id, beta)).toBe(false);
      expect(startedFor(id, '')).toBe(false);
    }
    // Without authentication every caller is '' and reads every run.
    expect(startedFor(workflowIdFor(undefined), '')).toBe(true);
  });

  it('ids not started by this service, or edited, belong to nobody', () => {
    const id = workflowIdFor(undefined, alpha);
    const edited = [
      id.replace(/-[0-9a-f]{16}$/, ''), // the owner part dropped (how ids looked before it)
      id.replace(/^serve-\d+/, 'serve-1'), // another run's time with this owner part
      id.slice(0, -1) + (id.endsWith('0') ? '1' : '0'),
      'curation-x',
      'serve-missing',
      'serve--0123456789abcdef',
      `${id}-extra`,
    ];
    for (const other of edited) expect(startedFor(other, alpha)).toBe(false);
  });

  it('property: a run is readable by the caller it was started for and by no other', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        fc.string(),
        fc.string(),
        (idempotencyKey, a, b) => {
          const owner = check.callerOf(`Bearer x${a.replace(/\s/g, '')}`);
          const other = check.callerOf(`Bearer y${b.replace(/\s/g, '')}`);
          const id = workflowIdFor(idempotencyKey, owner);
          return startedFor(id, owner) && !startedFor(id, other);
        },
      ),
    );
  });
});
