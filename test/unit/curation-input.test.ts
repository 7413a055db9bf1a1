import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  loadHubTraces,
  loadTracesFile,
  parseTracesJsonl,
  splitThought,
} from '../../io/curation/input';
import { HubDouble } from '../helpers/hub-double';

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
    const result = await loadHubTraces({ repo: 'org/r1-traces', hubUrl: hub.baseUrl, accessToken: hub.token });
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
      loadHubTraces({ repo: 'org/r1-traces', path: 'data/nope.jsonl', hubUrl: hub.baseUrl, accessToken: hub.token }),
    ).rejects.toThrow(/has no file data\/nope.jsonl/);
    await expect(
      loadHubTraces({ repo: 'org/missing', hubUrl: hub.baseUrl, accessToken: hub.token }),
    ).rejects.toThrow(/cannot list the files of dataset org\/missing: Repository not found/);
  });
});
