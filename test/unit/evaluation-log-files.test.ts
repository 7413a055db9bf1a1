import fc from 'fast-check';
import { fileKeys, matchLogFiles } from '../../core/evaluation/log-files';

const math500Ids = ['test/algebra/1.json', 'test/algebra/11.json', 'test/precalculus/1.json'];

describe('matching transcript files to problem ids by name', () => {
  it('reads the released layouts (docs/sprint-format.md#released-logs): "/" as "_", .json dropped, method from the prefix', () => {
    const res = matchLogFiles(
      [
        'planner_trajectory_test_algebra_1.txt',
        'base_model_trajectory_test_algebra_11.txt',
        'planner_trajectory_test_precalculus_1.txt',
      ],
      math500Ids,
    );
    expect(res.unmatched).toEqual([]);
    expect(res.matched).toEqual([
      {
        file: 'base_model_trajectory_test_algebra_11.txt',
        problemId: 'test/algebra/11.json',
        method: 'sequential',
      },
      { file: 'planner_trajectory_test_algebra_1.txt', problemId: 'test/algebra/1.json', method: 'sprint' },
      {
        file: 'planner_trajectory_test_precalculus_1.txt',
        problemId: 'test/precalculus/1.json',
        method: 'sprint',
      },
    ]);
  });

  it("reads the project's own layout (<id>.txt) and leaves the method to the content", () => {
    const res = matchLogFiles(['test_algebra_1.txt', 'test__algebra__11.md'], math500Ids);
    expect(res.matched).toEqual([
      { file: 'test__algebra__11.md', problemId: 'test/algebra/11.json' },
      { file: 'test_algebra_1.txt', problemId: 'test/algebra/1.json' },
    ]);
  });

  it('finds an id anywhere in the name as a whole token, never inside a longer number', () => {
    const res = matchLogFiles(
      ['run3-test_algebra_11-seed0.txt', 'sprint_test_algebra_1_t0.6.log', 'test_algebra_111.txt'],
      math500Ids,
    );
    expect(res.matched).toEqual([
      { file: 'run3-test_algebra_11-seed0.txt', problemId: 'test/algebra/11.json' },
      { file: 'sprint_test_algebra_1_t0.6.log', problemId: 'test/algebra/1.json' },
    ]);
    expect(res.unmatched).toEqual([{ file: 'test_algebra_111.txt', reason: 'no problem id in the name' }]);
  });

  it('says which files did not match and why: no id, ambiguous, not a transcript', () => {
    const res = matchLogFiles(
      ['notes.txt', 'results.jsonl', 'both_test_algebra_1_and_test_precalculus_1.txt', 'x_a_b.txt'],
      [...math500Ids, 'a/b', 'a_b'],
    );
    expect(res.matched).toEqual([]);
    expect(res.unmatched).toEqual([
      {
        file: 'both_test_algebra_1_and_test_precalculus_1.txt',
        reason:
          'the name ("test_algebra_1", "test_precalculus_1") fits several problems: test/algebra/1.json, test/precalculus/1.json',
      },
      { file: 'notes.txt', reason: 'no problem id in the name' },
      { file: 'results.jsonl', reason: 'not a transcript (.txt, .md, .out, .log)' },
      { file: 'x_a_b.txt', reason: 'the name ("a_b") fits several problems: a/b, a_b' },
    ]);
  });

  it('property: the released name of every id maps back to that id, bare, prefixed or suffixed', () => {
    // segments never equal the words around the id: an id "seed1" would be in every "-seed1" name
    const segment = fc
      .stringMatching(/^[a-z0-9]{1,6}$/)
      .filter((x) => !['run', 'seed1', 'final'].includes(x));
    const id = fc
      .array(segment, { minLength: 1, maxLength: 3 })
      .chain((parts) => fc.boolean().map((json) => `${parts.join('/')}${json ? '.json' : ''}`));
    fc.assert(
      fc.property(
        fc.uniqueArray(id, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('planner_trajectory_', 'base_model_trajectory_', 'run-', ''),
        fc.constantFrom('', '-seed1', '-final'),
        (ids, prefix, suffix) => {
          // ids whose released names coincide cannot be told apart by name: keep one of each
          const byName = new Map<string, string>();
          for (const i of ids) byName.set(i.replace(/\.json$/, '').replace(/\//g, '_'), i);
          const files = [...byName.keys()].map((name) => `${prefix}${name}${suffix}.txt`);
          const res = matchLogFiles(files, [...byName.values()]);
          expect(res.unmatched).toEqual([]);
          const got = new Map(res.matched.map((m) => [m.file, m.problemId]));
          [...byName.values()].forEach((i, k) => expect(got.get(files[k]!)).toBe(i));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fileKeys covers the spellings of an id', () => {
    expect(fileKeys('test/algebra/1.json')).toEqual([
      'test/algebra/1.json',
      'test/algebra/1',
      'test_algebra_1.json',
      'test_algebra_1',
      'test__algebra__1',
    ]);
  });
});
