import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBenchmark } from '../../io/evaluation/benchmarks';
import { generateCountdown, gpqaProblem, parseCsv } from '../../core/benchmarks';
import { solveCountdown, verifyCountdown } from '../../core/grading/countdown';
import { parseConfig } from '../../config';
import { HubDouble } from '../helpers/hub-double';
import { aimeParquet } from '../helpers/parquet-files';

const fixtures = path.join(__dirname, '..', 'fixtures', 'eval');
const config = parseConfig({});

describe('benchmark loaders', () => {
  it('loads MATH500 JSONL, reporting bad lines by number and going on', async () => {
    const loaded = await loadBenchmark({
      benchmark: 'math500',
      dataFile: path.join(fixtures, 'math500-sample.jsonl'),
      config,
    });
    expect(loaded.problems.map((p) => p.id)).toEqual([
      'sample/prealgebra/1.json',
      'sample/algebra/2.json',
      'sample/geometry/3.json',
      'sample/intermediate_algebra/4.json',
      'sample/prealgebra/5.json',
    ]);
    expect(loaded.problems[0]).toMatchObject({
      target: { kind: 'math', answer: '\\frac{7}{8}' },
      meta: { subject: 'Prealgebra', level: 1 },
    });
    expect(loaded.problems[0]!.question).toContain('\\boxed{}');
    expect(loaded.errors).toHaveLength(2);
    expect(loaded.errors[0]).toMatch(/math500-sample\.jsonl:5: bad JSON line/);
    expect(loaded.errors[1]).toMatch(/math500-sample\.jsonl:7: field "answer" is missing/);
  });

  it('loads GPQA CSV (quoted fields, newlines) with a seeded, stable shuffle', async () => {
    const loaded = await loadBenchmark({
      benchmark: 'gpqa',
      dataFile: path.join(fixtures, 'gpqa-sample.csv'),
      config,
    });
    expect(loaded.problems).toHaveLength(3);
    const third = loaded.problems[2]!;
    expect(third.question).toContain('A question with a comma, and a "quoted" word\nspanning two lines?');
    for (const p of loaded.problems) {
      if (p.target.kind !== 'choice') throw new Error('expected a choice target');
      const letter = p.target.letter;
      const line = p.question.split('\n').find((l) => l.startsWith(`${letter}) `));
      const correct = parseCsv(fs.readFileSync(path.join(fixtures, 'gpqa-sample.csv'), 'utf8')).find(
        (r) => r['Record ID'] === p.id,
      )!['Correct Answer'];
      expect(line).toBe(`${p.target.letter}) ${correct}`);
    }
    const again = await loadBenchmark({
      benchmark: 'gpqa',
      dataFile: path.join(fixtures, 'gpqa-sample.csv'),
      config,
    });
    expect(again.problems.map((p) => p.question)).toEqual(loaded.problems.map((p) => p.question));
  });

  it('the GPQA shuffle depends on the seed and spreads the correct letter', () => {
    const letters = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const p = gpqaProblem(
        {
          id: `q${i}`,
          question: 'Q?',
          correct_answer: 'right',
          incorrect_answer_1: 'a',
          incorrect_answer_2: 'b',
          incorrect_answer_3: 'c',
        },
        'x',
      );
      if (p.target.kind === 'choice') letters.add(p.target.letter);
    }
    expect([...letters].sort()).toEqual(['A', 'B', 'C', 'D']);
    const row = {
      id: 'q1',
      question: 'Q?',
      correct_answer: 'right',
      incorrect_answer_1: 'a',
      incorrect_answer_2: 'b',
      incorrect_answer_3: 'c',
    };
    const bySeed = new Set(Array.from({ length: 10 }, (_, s) => gpqaProblem(row, 'x', s).question));
    expect(bySeed.size).toBeGreaterThan(1);
  });

  it('loads Countdown JSONL and rejects bad records', async () => {
    const loaded = await loadBenchmark({
      benchmark: 'countdown',
      dataFile: path.join(fixtures, 'countdown-sample.jsonl'),
      config,
    });
    expect(loaded.problems.map((p) => p.id)).toEqual(['countdown-0', 'cd-two']);
    expect(loaded.errors[0]).toMatch(/countdown-sample\.jsonl:3: "nums" must be a list/);
  });

  it('loads AIME 2024 from Parquet in the HuggingFaceH4/aime_2024 columns (INT64 id, text answer)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-aime-'));
    const file = path.join(dir, 'train-00000-of-00001.parquet');
    fs.writeFileSync(file, aimeParquet('h4'));
    const loaded = await loadBenchmark({ benchmark: 'aime2024', dataFile: file, config });
    expect(loaded.errors).toEqual([]);
    expect(loaded.problems.map((p) => [p.id, p.target])).toEqual([
      ['60', { kind: 'math', answer: '204' }],
      ['61', { kind: 'math', answer: '113' }],
      ['9007199254740993', { kind: 'math', answer: '25' }],
    ]);
    expect(loaded.problems[0]).toMatchObject({ benchmark: 'aime2024', meta: { year: '2024' } });
    expect(loaded.problems[0]!.question).toMatch(/^Every morning Aya[\s\S]*\\boxed\{\}\.$/);
  });

  it('loads AIME 2024 from Parquet in the Maxwell-Jia/AIME_2024 columns (ID, Problem, INT64 Answer)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-aime-'));
    const file = path.join(dir, 'aime_2024_problems.parquet');
    fs.writeFileSync(file, aimeParquet('maxwell'));
    const loaded = await loadBenchmark({ benchmark: 'aime2024', dataFile: file, config });
    expect(loaded.problems.map((p) => [p.id, p.target])).toEqual([
      ['2024-I-1', { kind: 'math', answer: '204' }],
      ['2024-II-15', { kind: 'math', answer: '25' }],
    ]);
    expect(loaded.errors).toEqual([
      expect.stringMatching(/aime_2024_problems\.parquet:row 3: field "Problem" is missing/),
    ]);
  });

  it('names a file that is not Parquet', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-aime-'));
    const file = path.join(dir, 'broken.parquet');
    fs.writeFileSync(file, 'PAR1 this is not a parquet file');
    await expect(loadBenchmark({ benchmark: 'aime2024', dataFile: file, config })).rejects.toThrow(
      /cannot read Parquet file .*broken\.parquet: /,
    );
  });

  it('reads MATH500 from Parquet too (any benchmark file may be Parquet)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-math-'));
    const file = path.join(dir, 'test.parquet');
    fs.writeFileSync(file, aimeParquet('math500'));
    const loaded = await loadBenchmark({ benchmark: 'math500', dataFile: file, config });
    expect(loaded.problems.map((p) => [p.id, p.meta])).toEqual([
      ['test/algebra/1.json', { subject: 'Algebra', level: 2 }],
    ]);
  });

  it('generates solvable Countdown problems deterministically', () => {
    const a = generateCountdown(25, 7);
    expect(generateCountdown(25, 7)).toEqual(a);
    expect(generateCountdown(25, 8)).not.toEqual(a);
    for (const p of a) {
      if (p.target.kind !== 'countdown') throw new Error('expected countdown');
      const { nums, target } = p.target;
      expect(nums.length).toBeGreaterThanOrEqual(3);
      expect(nums.length).toBeLessThanOrEqual(4);
      expect(nums.every((n) => n >= 1 && n <= 99)).toBe(true);
      expect(target).toBeGreaterThanOrEqual(10);
      expect(target).toBeLessThanOrEqual(100);
      const solution = solveCountdown(nums, target);
      expect(solution).not.toBeNull();
      expect(verifyCountdown(solution, nums, target).ok).toBe(true);
    }
  });

  describe('from the Hub (loopback Hub double)', () => {
    let hub: HubDouble;
    beforeAll(async () => {
      hub = await new HubDouble().start();
      hub.addFile(
        'HuggingFaceH4/MATH-500',
        'test.jsonl',
        '{"problem":"1+1?","answer":"2","unique_id":"a"}\n{"problem":"2+2?","answer":"4","unique_id":"b"}\n',
      );
      hub.addFile(
        'Idavidrein/gpqa',
        'gpqa_diamond.csv',
        'Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3\nQ?,r,a,b,c\n',
        { gated: true },
      );
    });
    afterAll(() => hub.stop());

    it('downloads AIME 2024 as Parquet from its default Hub file', async () => {
      hub.addFile(
        'HuggingFaceH4/aime_2024',
        'data/train-00000-of-00001.parquet',
        Buffer.from(aimeParquet('h4')),
      );
      const loaded = await loadBenchmark({ benchmark: 'aime2024', config, hubUrl: hub.baseUrl, env: {} });
      expect(loaded.source).toBe(
        'hf://datasets/HuggingFaceH4/aime_2024@main/data/train-00000-of-00001.parquet',
      );
      expect(loaded.problems.map((p) => p.id)).toEqual(['60', '61', '9007199254740993']);
    });

    it('downloads MATH500 through @huggingface/hub', async () => {
      const loaded = await loadBenchmark({
        benchmark: 'math500',
        config,
        hubUrl: hub.baseUrl,
        env: {},
        limit: 1,
      });
      expect(loaded.source).toBe('hf://datasets/HuggingFaceH4/MATH-500@main/test.jsonl');
      expect(loaded.problems.map((p) => p.id)).toEqual(['a']);
    });

    it('sends the token from the configured variable for a gated file, and says so when it is missing', async () => {
      const ok = await loadBenchmark({
        benchmark: 'gpqa',
        config,
        hubUrl: hub.baseUrl,
        env: { HF_TOKEN: hub.token },
      });
      expect(ok.problems).toHaveLength(1);
      expect(
        hub.requests.some((r) => r.path.endsWith('/gpqa_diamond.csv') && r.auth === `Bearer ${hub.token}`),
      ).toBe(true);
      await expect(
        loadBenchmark({ benchmark: 'gpqa', config, hubUrl: hub.baseUrl, env: {} }),
      ).rejects.toThrow(
        /gpqa_diamond\.csv from dataset Idavidrein\/gpqa@main: .*authenticated.*no token in \$HF_TOKEN/,
      );
    });

    it('names the gated file when the token has not been granted access (403)', async () => {
      const refused = loadBenchmark({
        benchmark: 'gpqa',
        config,
        hubUrl: hub.baseUrl,
        env: { HF_TOKEN: hub.readToken },
      });
      await expect(refused).rejects.toThrow(
        /cannot download gpqa_diamond\.csv from dataset Idavidrein\/gpqa@main: .*restricted/,
      );
      await expect(refused).rejects.not.toThrow(/no token in/);
    });

    it('says why an unreachable Hub failed, without the token hint', async () => {
      const server = http.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      await new Promise((r) => server.close(r));
      const unreachable = loadBenchmark({
        benchmark: 'math500',
        config,
        hubUrl: `http://127.0.0.1:${port}`,
        env: {},
      });
      await expect(unreachable).rejects.toThrow(
        `cannot download test.jsonl from dataset HuggingFaceH4/MATH-500@main: fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`,
      );
      await expect(unreachable).rejects.not.toThrow(/no token in/);
    });

    it('names a missing file and a missing repo', async () => {
      const noFile = parseConfig({
        evaluation: { datasets: { math500: { repo: 'HuggingFaceH4/MATH-500', file: 'x.jsonl' } } },
      });
      await expect(
        loadBenchmark({ benchmark: 'math500', config: noFile, hubUrl: hub.baseUrl, env: {} }),
      ).rejects.toThrow(/dataset HuggingFaceH4\/MATH-500@main has no file x\.jsonl/);
      const noRepo = parseConfig({
        evaluation: { datasets: { math500: { repo: 'nobody/none', file: 'x.jsonl' } } },
      });
      await expect(
        loadBenchmark({ benchmark: 'math500', config: noRepo, hubUrl: hub.baseUrl, env: {} }),
      ).rejects.toThrow(/cannot download x\.jsonl from dataset nobody\/none@main: Repository not found/);
    });
  });
});
