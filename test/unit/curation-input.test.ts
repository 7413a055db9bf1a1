import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadHubTraces, loadTracesFile, parseTracesJsonl, splitThought } from '../../io/curation/input';
import { HubDouble } from '../helpers/hub-double';
import { openR1MathParquet, type R1Row } from '../helpers/r1-parquet';
import { parseColumnMap } from '../../io/curation/trace-rows';

const good = {
  id: 'a1',
  question: 'What is 1+1?',
  trace: 'One plus one. 1 + 1 = 2.',
  solution: 'So \\boxed{2}.',
};
const conv = {
  conversations: [
    { from: 'user', value: 'Compute 2*3.' },
    {
      from: 'assistant',
      value: '<think>\nTwo times three. 2 * 3 = 6.\n</think>\n\nThe answer is \\boxed{6}.',
    },
  ],
};
const bot = {
  id: 'b2',
  messages: [
    { role: 'user', content: 'Compute 4-1.' },
    {
      role: 'assistant',
      content:
        '<|begin_of_thought|>\n\nFour minus one is three.\n\n<|end_of_thought|>\n\n<|begin_of_solution|>\n\n\\boxed{3}\n\n<|end_of_solution|>',
    },
  ],
};

describe('trace input', () => {
  it('reads the plain shape, the conversations shape with <think>, and <|begin_of_thought|> markers', () => {
    const text = [good, conv, bot].map((o) => JSON.stringify(o)).join('\n');
    const { traces, rejects } = parseTracesJsonl(text);
    expect(rejects).toEqual([]);
    expect(traces).toEqual([
      good,
      {
        id: 'line-2',
        question: 'Compute 2*3.',
        trace: 'Two times three. 2 * 3 = 6.',
        solution: 'The answer is \\boxed{6}.',
      },
      { id: 'b2', question: 'Compute 4-1.', trace: 'Four minus one is three.', solution: '\\boxed{3}' },
    ]);
  });

  it('rejects bad lines with their line number and reason, and keeps going', () => {
    const lines = [
      JSON.stringify(good),
      '{"question": "broken',
      '',
      JSON.stringify({ question: 'q', solution: 's' }),
      JSON.stringify({ trace: 't', solution: 's' }),
      JSON.stringify({ question: 'q', trace: 't' }),
      JSON.stringify({ ...good }),
      '[1, 2]',
      JSON.stringify({
        conversations: [
          { from: 'user', value: 'q' },
          { from: 'assistant', value: 'no thought markers' },
        ],
      }),
      JSON.stringify({ question: 'q', trace: 't', answer: 42 }),
    ];
    const { traces, rejects, lines: n } = parseTracesJsonl(lines.join('\n'));
    expect(n).toBe(9);
    expect(rejects.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [2, 'invalid JSON'],
      [4, 'no reasoning trace (expected trace, reasoning, generation or an assistant turn with <think>)'],
      [5, 'no question (expected question, problem, prompt or a user turn)'],
      [6, 'no solution or answer'],
      [7, 'duplicate id "a1"'],
      [8, 'not a JSON object'],
      [9, 'assistant turn has no <think> or <|begin_of_thought|> section'],
    ]);
    expect(traces.map((t) => t.id)).toEqual(['a1', 'line-10']);
    expect(traces[1]!.solution).toBe('The final answer is \\boxed{42}.');
  });

  it('honours a limit and reports a missing file clearly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traces-'));
    const file = path.join(dir, 't.jsonl');
    fs.writeFileSync(
      file,
      [good, { ...good, id: 'a2' }, { ...good, id: 'a3' }].map((o) => JSON.stringify(o)).join('\n'),
    );
    expect((await loadTracesFile(file, { limit: 2 })).traces.map((t) => t.id)).toEqual(['a1', 'a2']);
    await expect(loadTracesFile(path.join(dir, 'missing.jsonl'))).rejects.toThrow(
      /cannot read traces file .*missing.jsonl: ENOENT/,
    );
  });

  it('splits an unclosed <think> (a length cut) and a bare </think>', () => {
    expect(splitThought('<think>cut here')).toEqual({ thought: 'cut here', rest: '' });
    expect(splitThought('thought</think>answer')).toEqual({ thought: 'thought', rest: 'answer' });
    expect(splitThought('plain')).toBeUndefined();
  });
});

describe('Hub dataset loader (against the loopback Hub double)', () => {
  let hub: HubDouble;
  beforeAll(async () => {
    hub = await new HubDouble().start();
    hub.addFile('org/r1-traces', 'data/train-0.jsonl', [good, conv].map((o) => JSON.stringify(o)).join('\n'));
    hub.addFile('org/r1-traces', 'data/train-1.jsonl', `${JSON.stringify(bot)}\nnot json\n`);
    hub.addFile('org/r1-traces', 'README.md', '# card');
  });
  afterAll(() => hub.stop());

  it('lists the JSONL files, downloads them with the token, and parses them with per-file rejects', async () => {
    const result = await loadHubTraces({
      repo: 'org/r1-traces',
      hubUrl: hub.baseUrl,
      accessToken: hub.token,
    });
    expect(result.files).toEqual(['data/train-0.jsonl', 'data/train-1.jsonl']);
    expect(result.traces.map((t) => t.id)).toEqual(['a1', 'data_train-0.jsonl-line-2', 'b2']);
    expect(result.rejects.map((r) => [r.line, r.excerpt])).toEqual([[2, 'not json']]);
    expect(result.rejects[0]!.reason).toMatch(/^data\/train-1.jsonl: invalid JSON/);
    expect(hub.requests.some((r) => r.url.startsWith('/api/datasets/org/r1-traces/tree/main'))).toBe(true);
    expect(
      hub.requests.filter((r) => r.url.includes('/resolve/')).every((r) => r.auth === `Bearer ${hub.token}`),
    ).toBe(true);
  });

  it('reads one named file, and says clearly when a repo or file is missing', async () => {
    const one = await loadHubTraces({
      repo: 'org/r1-traces',
      path: 'data/train-1.jsonl',
      hubUrl: hub.baseUrl,
      accessToken: hub.token,
    });
    expect(one.traces.map((t) => t.id)).toEqual(['b2']);
    await expect(
      loadHubTraces({
        repo: 'org/r1-traces',
        path: 'data/nope.jsonl',
        hubUrl: hub.baseUrl,
        accessToken: hub.token,
      }),
    ).rejects.toThrow(/has no file data\/nope.jsonl/);
    await expect(
      loadHubTraces({ repo: 'org/missing', hubUrl: hub.baseUrl, accessToken: hub.token }),
    ).rejects.toThrow(/cannot list the files of dataset org\/missing: Repository not found/);
  });
});

describe('Parquet input (OpenR1-Math-220k shape, written by hyparquet-writer)', () => {
  const think = (body: string) => `<think>\n${body}\n</think>\n\nSo the answer is $\\boxed{4}$.`;
  const rows: R1Row[] = [
    {
      problem: 'What is 2+2?',
      solution: 'Adding gives $\\boxed{4}$.',
      answer: '4',
      uuid: 'u-0',
      generations: [think('Wrong try: 2+2=5.'), think('Add: 2+2=4. Check: 4-2=2.')],
      correctness_math_verify: [false, true],
    },
    {
      problem: 'What is 3+3?',
      solution: 'It is $\\boxed{6}$.',
      answer: '6',
      uuid: 'u-1',
      generations: [think('3+3=7.')],
      correctness_math_verify: [false],
    },
    {
      problem: '',
      solution: 'x',
      answer: '1',
      uuid: 'u-2',
      generations: [think('Nothing.')],
      correctness_math_verify: [true],
    },
    {
      problem: 'What is 5+5?',
      solution: 'It is $\\boxed{10}$.',
      answer: '10',
      uuid: 'u-3',
      generations: [think('5+5=10.')],
      correctness_math_verify: [true],
    },
  ];
  const bytes = openR1MathParquet(rows);

  it('reads a local Parquet file, picks the first correct generation and names bad rows by number', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parquet-in-'));
    const file = path.join(dir, 'train-00000-of-00001.parquet');
    fs.writeFileSync(file, bytes);
    const parsed = await loadTracesFile(file, { columns: parseColumnMap('openr1-math') });
    expect(parsed.lines).toBe(4);
    expect(parsed.traces.map((t) => [t.id, t.question, t.trace, t.solution])).toEqual([
      ['u-0', 'What is 2+2?', 'Add: 2+2=4. Check: 4-2=2.', 'Adding gives $\\boxed{4}$.'],
      ['u-3', 'What is 5+5?', '5+5=10.', 'It is $\\boxed{10}$.'],
    ]);
    expect(parsed.rejects.map((r) => r.reason)).toEqual([
      'row 1 (from 0): no generation is marked true in "correctness_math_verify"',
      'row 2 (from 0): no question (expected question, problem, prompt or a user turn)',
    ]);
    // Without a mapping the first generation is not chosen by correctness: a clear error, not a guess.
    const raw = await loadTracesFile(file);
    expect(raw.rejects[0]!.reason).toMatch(/^row 0 \(from 0\): no reasoning trace/);
    await expect(loadTracesFile(path.join(dir, 'x.parquet'))).rejects.toThrow(
      /cannot read .*x.parquet: ENOENT/,
    );
    fs.writeFileSync(path.join(dir, 'bad.parquet'), 'not parquet at all');
    await expect(loadTracesFile(path.join(dir, 'bad.parquet'))).rejects.toThrow(
      /bad.parquet: cannot read as Parquet/,
    );
  });

  it('reads Parquet files of a Hub dataset next to JSONL ones', async () => {
    const hub = await new HubDouble().start();
    try {
      hub.addFile('open-r1/math-mini', 'data/train-00000-of-00001.parquet', bytes);
      hub.addFile('open-r1/math-mini', 'README.md', '# card');
      const result = await loadHubTraces({
        repo: 'open-r1/math-mini',
        hubUrl: hub.baseUrl,
        accessToken: hub.token,
        columns: parseColumnMap('openr1-math'),
      });
      expect(result.files).toEqual(['data/train-00000-of-00001.parquet']);
      expect(result.traces.map((t) => t.id)).toEqual(['u-0', 'u-3']);
      expect(result.rejects.map((r) => [r.line, r.reason])).toEqual([
        [
          2,
          'data/train-00000-of-00001.parquet: row 1 (from 0): no generation is marked true in "correctness_math_verify"',
        ],
        [
          3,
          'data/train-00000-of-00001.parquet: row 2 (from 0): no question (expected question, problem, prompt or a user turn)',
        ],
      ]);
    } finally {
      await hub.stop();
    }
  });

  it('parses column maps and names a bad one', () => {
    expect(parseColumnMap('question=q, trace=t,pick=ok')).toEqual({ question: 'q', trace: 't', pick: 'ok' });
    expect(() => parseColumnMap('query=q')).toThrow(/"query=q" is not KEY=COLUMN/);
  });
});
