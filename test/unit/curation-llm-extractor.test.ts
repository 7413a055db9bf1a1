import { z } from 'zod';
import {
  buildDag,
  checkSteps,
  ExtractionFailure,
  extractSteps,
  responseFormatFor,
  STEPS_SYSTEM,
  toComponents,
} from '../../io/curation/llm-extractor';
import { LoopbackModelServer } from '../helpers/loopback-model-server';
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

describe('LLM extraction: real extractor shapes and structured outputs', () => {
  it('accepts a component with no plan (planLines null): it stays a component with plan null', () => {
    const reply = {
      components: [
        {
          id: 1,
          description: 'a',
          planLines: null,
          prompt: 'Do a.',
          executionLines: [1, 3] as [number, number],
        },
        {
          id: 2,
          description: 'b',
          planLines: [4, 4] as [number, number],
          prompt: null,
          executionLines: null,
          commentLines: [5, 6] as [number, number],
        },
      ],
    };
    expect(checkSteps(reply, 6)).toEqual([]);
    const cs = toComponents(reply, lines);
    expect(cs[0]).toMatchObject({ id: 1, plan: null, planLines: null, execution: 'One.\nTwo.\nThree.' });
    expect(cs[1]).toMatchObject({ plan: 'Four.', comment: 'Five.\nSix.', commentLines: [5, 6] });
  });

  const endpoint = (engine: 'openai' | 'vllm' | 'sglang' | 'generic') =>
    new ModelClient({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', engine, timeoutMs: 1000 });

  it('asks for a json_schema generated from the zod schema where the engine supports it', () => {
    const schema = z.object({ dag: z.record(z.string(), z.array(z.number().int())) });
    const format = responseFormatFor(endpoint('vllm'), schema, 'sprint_dag', { jsonMode: true })!;
    expect(format.type).toBe('json_schema');
    const js = format.json_schema as { name: string; schema: { properties: Record<string, unknown> } };
    expect(js.name).toBe('sprint_dag');
    expect(Object.keys(js.schema.properties)).toEqual(['dag']);
    expect(responseFormatFor(endpoint('generic'), schema, 'x', { jsonMode: true })).toEqual({
      type: 'json_object',
    });
    expect(
      responseFormatFor(endpoint('openai'), schema, 'x', { jsonMode: true, structuredOutputs: false }),
    ).toEqual({
      type: 'json_object',
    });
    expect(responseFormatFor(endpoint('openai'), schema, 'x', { jsonMode: false })).toBeUndefined();
  });

  it('sends the steps schema (planLines nullable) and accepts DAG ids as strings', async () => {
    const engine = await new LoopbackModelServer().start();
    try {
      engine.setScript((req) => {
        const system = (req.body.messages as { content: string }[])[0]!.content;
        if (system === STEPS_SYSTEM) return { text: JSON.stringify(valid) };
        return { text: JSON.stringify({ dag: { '1': [], '2': ['1'] } }) };
      });
      const client = new ModelClient({
        baseUrl: engine.baseUrl,
        model: 'm',
        engine: 'openai',
        timeoutMs: 5000,
      });
      const opts = {
        maxRepairs: 0,
        temperature: 0,
        maxTokens: 500,
        contextBudgetTokens: 100_000,
        jsonMode: true,
      };
      const steps = await extractSteps(client, 'q', lines, opts);
      const dag = await buildDag(client, steps.components, opts);
      expect(dag.dag).toEqual({ 1: [], 2: [1] });
      const format = engine.requests[0]!.body.response_format as {
        type: string;
        json_schema: {
          schema: { properties: { components: { items: { properties: { planLines: unknown } } } } };
        };
      };
      expect(format.type).toBe('json_schema');
      // planLines admits null (an empty plan), as real extractors answer.
      expect(
        JSON.stringify(format.json_schema.schema.properties.components.items.properties.planLines),
      ).toContain('"null"');
    } finally {
      await engine.stop();
    }
  });
});
