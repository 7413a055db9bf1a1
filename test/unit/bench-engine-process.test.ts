import { processEngine } from '../../bench/engine/bench-engine';
import { recordForBench } from '../../bench/engine/protocol';
import { engineCalls } from '../../bench/session-timeline';

jest.setTimeout(60_000);

describe("the overhead bench's engine double in its own process (issue 28)", () => {
  it('plays the scripted session and reports each request with its times and stops, not its prompt', async () => {
    const engine = await processEngine();
    try {
      await engine.play({ executors: 2, scale: 1, rounds: 1, tokenMs: 0 });
      const before = await engine.count();
      const ask = async (prompt: string, stop: string[]) => {
        const res = await fetch(`${engine.baseUrl}/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'loopback-model', prompt, max_tokens: 50, stop }),
        });
        return ((await res.json()) as { choices: { text: string }[] }).choices[0]!.text;
      };
      const plan = await ask('question\n', ['</Plan_1>', '</Final_answer>']);
      expect(plan).toContain('<prompt_1.1>');
      const requests = await engine.requestsFrom(before);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.prompt).toBe('');
      expect(requests[0]!.endedAt).toBeGreaterThanOrEqual(requests[0]!.startedAt);
      expect(engineCalls(requests).map((c) => c.kind)).toEqual(['plan']);
      expect(await engine.count()).toBe(before + 1);
    } finally {
      await engine.stop();
    }
  });

  it('a record for the bench keeps what the bench reads', () => {
    const record = {
      id: 3,
      path: '/v1/completions',
      body: { prompt: 'long', stop: ['</execution_1.1>'], max_tokens: 9 },
      prompt: 'long',
      startedAt: 10,
      endedAt: 25,
      status: 200,
    };
    expect(recordForBench(record)).toEqual({
      id: 3,
      path: '/v1/completions',
      body: { stop: ['</execution_1.1>'] },
      prompt: '',
      startedAt: 10,
      endedAt: 25,
      status: 200,
    });
  });
});
