import {
  checkSteps,
  ExtractionFailure,
  extractSteps,
  toComponents,
} from '../../io/curation/llm-extractor';
import { ModelClient } from '../../io/model-client';
import { segmentTrace } from '../../core/curation/lines';

const lines = segmentTrace('One. Two. Three. Four. Five. Six.');
const valid = {
  components: [
    { id: 1, description: 'a', planLines: [1, 1] as [number, number], prompt: null, executionLines: null },
    {
      id: 2,
      description: 'b',
      planLines: [2, 2] as [number, number],
      prompt: 'Do b.',
      executionLines: [3, 6] as [number, number],
    },
  ],
};

describe('LLM steps reply checks', () => {
  it('accepts a reply that covers every line exactly once', () => {
    expect(checkSteps(valid, 6)).toEqual([]);
    const cs = toComponents(valid, lines);
    expect(cs[1]).toMatchObject({ plan: 'Two.', prompt: 'Do b.', execution: 'Three.\nFour.\nFive.\nSix.' });
  });

  it('names overlaps, gaps, bad ranges, ids and prompt/execution mismatches', () => {
    const bad = {
      components: [
        { id: 1, description: '', planLines: [1, 2] as [number, number], prompt: 'x', executionLines: null },
        {
          id: 3,
          description: '',
          planLines: [2, 2] as [number, number],
          prompt: null,
          executionLines: [5, 9] as [number, number],
        },
      ],
    };
    expect(checkSteps(bad, 6)).toEqual([
      'component 1 has a prompt but no executionLines',
      'component at position 2 has id 3; ids must be 1, 2, 3, ... in order',
      'line 2 is in both component 1 planLines and component 3 planLines',
      'component 3 executionLines [5, 9] is not a range within lines 1..6',
      'component 3 has executionLines but no prompt',
      'lines not covered by any component: 3-6',
    ]);
  });

  it('skips a trace beyond the context budget with a clear reason, before any call', async () => {
    // Nothing listens on port 9: a call would fail with a connection error, not this skip.
    const client = new ModelClient({
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'm',
      engine: 'openai',
      timeoutMs: 1000,
    });
    const long = segmentTrace('word '.repeat(4000).replace(/ $/, '.'));
    const opts = {
      maxRepairs: 1,
      temperature: 0,
      maxTokens: 1000,
      contextBudgetTokens: 2000,
      jsonMode: true,
    };
    const err = await extractSteps(client, 'q', long, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExtractionFailure);
    expect((err as ExtractionFailure).reason).toBe('trace-too-long');
    expect((err as ExtractionFailure).message).toMatch(/about \d+ tokens with the reply, budget 2000/);
  });
});
