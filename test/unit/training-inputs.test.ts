import fc from 'fast-check';
import { HUB_REPO_ID, isHubRepoId } from '../../core/hub-repo-id';
import { passesToTrainer, trainerEnvironment } from '../../core/trainer-env';
import { liesUnder, RUN_ID, runIdProblem } from '../../core/training-input';
import { endReason, killedFromOutside, lowerApiVersion } from '../../io/training/docker';

const slugChar = fc.constantFrom(...'abcXYZ019._-'.split(''));
const segment = fc
  .array(fc.constantFrom(...'abcdef01_-.'.split('')), { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join(''))
  .filter((s) => s !== '.' && s !== '..');

describe('run ids', () => {
  it('take slugs: a letter or digit, then letters, digits, dots, underscores and dashes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a', 'Z', '7'),
        fc.array(slugChar, { maxLength: 100 }),
        (first, rest) => runIdProblem(first + rest.join('')) === undefined,
      ),
    );
    expect(runIdProblem('train-20261207152200')).toBeUndefined();
    expect(runIdProblem('Run_42')).toBeUndefined();
  });

  it('refuse anything that could leave the runs folder or name no folder', () => {
    for (const bad of ['', '.', '..', '../etc', 'a/b', '/abs', '.hidden', '-flag', 'a b', 'x'.repeat(129)])
      expect(runIdProblem(bad)).toMatch(/is not a slug/);
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        (a, b) => !RUN_ID.test(`${a}/${b}`) && !RUN_ID.test(`${a}\0${b}`),
      ),
    );
  });
});

describe('folder containment', () => {
  it('holds for the root itself and every path below it', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), fc.array(segment, { maxLength: 4 }), (root, below) => {
        const r = `/${root.join('/')}`;
        return liesUnder(r, `/${[...root, ...below].join('/')}`);
      }),
    );
  });

  it('fails for siblings sharing a prefix, parents, dot segments and relative paths', () => {
    expect(liesUnder('/srv/art', '/srv/artifacts/ds')).toBe(false);
    expect(liesUnder('/srv/art', '/srv')).toBe(false);
    expect(liesUnder('/srv/art', '/srv/art/../etc')).toBe(false);
    expect(liesUnder('/srv/art', '/srv/art/./ds')).toBe(false);
    expect(liesUnder('/srv/art', 'srv/art/ds')).toBe(false);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.nat(3), (root, at) => {
        const inside = [...root, 'x', 'y'];
        inside.splice(root.length + Math.min(at, 2), 0, '..');
        return !liesUnder(`/${root.join('/')}`, `/${inside.join('/')}`);
      }),
    );
  });
});

describe('Hub repo ids', () => {
  it('refuse . and .. segments and .. anywhere', () => {
    for (const bad of [
      '../x',
      './x',
      'x/..',
      'x/.',
      '../..',
      'a..b/c',
      'a/b..c',
      'owner/name/extra',
      'OWNER/NAME[:PATH]',
    ])
      expect(isHubRepoId(bad)).toBe(false);
  });

  it('keep the ids the Hub gives', () => {
    for (const ok of [
      'open-r1/OpenR1-Math-220k',
      'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B',
      'a/b.c',
      'org/v1.5_x',
    ])
      expect(HUB_REPO_ID.test(ok)).toBe(true);
  });
});

describe('the trainer environment from the worker', () => {
  const worker = {
    PATH: '/usr/bin',
    HOME: '/home/w',
    HF_HOME: '/cache/hf',
    CUDA_VISIBLE_DEVICES: '0',
    OMP_NUM_THREADS: '4',
    LC_ALL: 'C.UTF-8',
    SPRINT_API_KEYS: 'sk-live-1',
    AWS_SECRET_ACCESS_KEY: 'aws',
    TEMPORAL_TLS_KEY: '-----BEGIN',
    DATABASE_URL: 'postgres://u:p@db',
    SPRINT_HUB_TOKEN: 'hf_worker',
  };

  it('passes the allow-listed variables and the Hub token under HF_TOKEN, nothing else', () => {
    expect(trainerEnvironment(worker, { HF_TOKEN: 'hf_worker' })).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/w',
      HF_HOME: '/cache/hf',
      CUDA_VISIBLE_DEVICES: '0',
      OMP_NUM_THREADS: '4',
      LC_ALL: 'C.UTF-8',
      HF_TOKEN: 'hf_worker',
    });
  });

  it('never lets through a name outside the allow-list, whatever the environment', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (env) => {
        const out = trainerEnvironment(env);
        return Object.keys(out).every((k) => passesToTrainer(k) && out[k] === env[k]);
      }),
    );
  });
});

describe('Docker API versions and container ends', () => {
  it('takes the lower of the configured and the daemon API version', () => {
    expect(lowerApiVersion('v1.43', '1.41')).toBe('v1.41');
    expect(lowerApiVersion('v1.41', '1.47')).toBe('v1.41');
    expect(lowerApiVersion('v1.9', '1.41')).toBe('v1.9');
  });

  it('names a kill from outside and the OOM killer, which are not relaunched', () => {
    expect(endReason({ ExitCode: 137, OOMKilled: true })).toMatch(/out of memory/);
    expect(endReason({ ExitCode: 137 })).toMatch(/SIGKILL.*docker kill/);
    expect(endReason({ ExitCode: 2 })).toBe('exited with status 2');
    expect(killedFromOutside({ ExitCode: 137 })).toBe(true);
    expect(killedFromOutside({ ExitCode: 0, OOMKilled: true })).toBe(true);
    expect(killedFromOutside({ ExitCode: 1 })).toBe(false);
    expect(killedFromOutside({ ExitCode: 143 })).toBe(false);
  });
});
