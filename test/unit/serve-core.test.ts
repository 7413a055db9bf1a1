import fc from 'fast-check';
import { buildPlan, parseTrajectory, renderTrajectory } from '../../core/format';
import type { MethodRunWithText } from '../../core/method-result';
import { chooseModel, servedModels } from '../../core/serve/model-names';
import { chatQuestion } from '../../core/serve/question';
import { chatRequestSchema, completionRequestSchema, describeIssues } from '../../core/serve/request-schema';
import {
  answerOf,
  chatChunk,
  chatCompletionBody,
  finishReasonOf,
  reasoningFields,
  reasoningOf,
  usageOf,
} from '../../core/serve/responses';
import { roundDeltas, type StreamedRound } from '../../core/serve/round-deltas';

const word = fc.stringMatching(/^[A-Za-z0-9+=*().,:;!?-]{1,8}$/);
const text = fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
const roundArb = fc.record({
  parts: fc.array(
    fc.oneof(
      text,
      text.map((t) => ({ prompt: t })),
    ),
    { minLength: 1, maxLength: 5 },
  ),
  execText: fc.array(text, { maxLength: 5 }),
});

describe('request schemas', () => {
  it('accepts what the openai client and lm-eval-harness send, ignoring unknown fields', () => {
    const chat = chatRequestSchema.parse({
      model: 'sprint',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: true,
      stream_options: { include_usage: true },
      user: 'someone',
      max_completion_tokens: 100,
      n: 1,
    });
    expect(chat.stream).toBe(true);
    const completion = completionRequestSchema.parse({
      model: 'sprint',
      prompt: ['Q: 1+1?'],
      max_tokens: 256,
      stop: ['\n\n'],
    });
    expect(completion.prompt).toEqual(['Q: 1+1?']);
  });

  it('names the field that is wrong', () => {
    const cases: [unknown, string][] = [
      [{ model: 'sprint', messages: [] }, 'messages'],
      [{ model: 'sprint', messages: [{ role: 'user', content: 3 }] }, 'messages.0.content'],
      [{ model: 'sprint', messages: [{ role: 'robot', content: 'x' }] }, 'messages.0.role'],
      [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
      [{ model: 'sprint', messages: [{ role: 'user', content: 'x' }], temperature: 7 }, 'temperature'],
      [{ model: 'sprint', messages: [{ role: 'user', content: 'x' }], n: 2 }, 'n'],
      [{ model: 'sprint', messages: [{ role: 'user', content: 'x' }], seed: -1 }, 'seed'],
      [
        { model: 'sprint', messages: [{ role: 'user', content: 'x' }], sprint_method: 'magic' },
        'sprint_method',
      ],
    ];
    for (const [body, field] of cases) {
      const r = chatRequestSchema.safeParse(body);
      expect(r.success).toBe(false);
      if (!r.success) expect(describeIssues(r.error).startsWith(`${field}:`)).toBe(true);
    }
    const two = completionRequestSchema.safeParse({ model: 'sprint', prompt: ['a', 'b'] });
    expect(two.success).toBe(false);
    if (!two.success) expect(describeIssues(two.error)).toBe('prompt: one prompt per request');
    const lp = completionRequestSchema.safeParse({ model: 'sprint', prompt: 'a', logprobs: 5 });
    expect(lp.success).toBe(false);
    if (!lp.success)
      expect(describeIssues(lp.error)).toBe('logprobs: logprobs are not supported by SPRINT sessions');
  });
});

describe('model names', () => {
  const models = servedModels(['r1-7b', 'api'], 'r1-7b');

  it('offers the sprint aliases of the planner pool and every pool with each method', () => {
    expect(models.map((m) => m.id)).toEqual([
      'sprint',
      'sprint-sequential',
      'sprint-sot',
      'sprint-sc',
      'r1-7b',
      'r1-7b-sequential',
      'r1-7b-sot',
      'r1-7b-sc',
      'api',
      'api-sequential',
      'api-sot',
      'api-sc',
    ]);
  });

  it('picks method and pool by name; the extra field overrides the method', () => {
    expect(chooseModel(models, 'sprint-sot')).toEqual({ ok: true, method: 'sot', pool: 'r1-7b' });
    expect(chooseModel(models, 'api-sequential')).toEqual({ ok: true, method: 'sequential', pool: 'api' });
    expect(chooseModel(models, 'api', 'sc')).toEqual({ ok: true, method: 'sc', pool: 'api' });
    const bad = chooseModel(models, 'gpt-4');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^model: unknown model "gpt-4" \(served: sprint, /);
  });

  it('a pool named like an alias does not take the alias over', () => {
    const m = servedModels(['sprint', 'x'], 'x');
    expect(chooseModel(m, 'sprint')).toEqual({ ok: true, method: 'sprint', pool: 'x' });
  });
});

describe('chat messages to a question', () => {
  it('one user turn is the question itself', () => {
    expect(chatQuestion([{ role: 'user', content: 'What is 2+2?' }])).toEqual({
      ok: true,
      question: 'What is 2+2?',
    });
  });

  it('keeps system instructions and earlier turns before the last user turn', () => {
    const r = chatQuestion([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '4' },
      { role: 'user', content: [{ type: 'text', text: 'And 3+3?' }] },
    ]);
    expect(r).toEqual({
      ok: true,
      question: 'Be brief.\n\nUser: What is 2+2?\n\nAssistant: 4\n\nUser: And 3+3?',
    });
  });

  it('refuses a chat that does not end with the user', () => {
    const r = chatQuestion([
      { role: 'user', content: 'x' },
      { role: 'assistant', content: 'y' },
    ]);
    expect(r.ok).toBe(false);
    expect(chatQuestion([{ role: 'user', content: '  ' }])).toEqual({
      ok: false,
      error: 'messages.0.content: the question is empty',
    });
  });
});

describe('round deltas', () => {
  it('deltas concatenated, however the rounds arrive, are the trajectory without its final answer (property)', () => {
    fc.assert(
      fc.property(fc.array(roundArb, { maxLength: 5 }), fc.array(fc.nat(5)), (specs, cuts) => {
        const rounds: StreamedRound[] = specs.map((s, i) => {
          const plan = buildPlan(i + 1, s.parts);
          return { plan, executions: plan.prompts.map((_, k) => s.execText[k] ?? `e${k}`) };
        });
        const all = [...rounds, { plan: { phase: rounds.length + 1, text: '' }, executions: [], final: 'F' }];
        // Polls see growing prefixes of the rounds, in any steps (including none and repeats).
        let sent = 0;
        let out = '';
        for (const c of [...cuts, all.length]) {
          const d = roundDeltas(all.slice(0, Math.min(c, all.length)), sent);
          sent = d.sent;
          out += d.deltas.join('');
        }
        const expected = renderTrajectory({
          rounds: specs.map((s, i) => ({
            plan: buildPlan(i + 1, s.parts),
            executions: [...rounds[i]!.executions],
          })),
          final: null,
        });
        expect(out).toBe(expected);
      }),
    );
  });
});

describe('response bodies', () => {
  const rounds = [{ plan: buildPlan(1, ['Split.', { prompt: 'Compute 2+2.' }]), executions: ['4'] }];
  const result: MethodRunWithText = {
    method: 'sprint',
    text: renderTrajectory({ rounds, final: 'It is 4.' }),
    finalAnswer: 'It is 4.',
    rounds: 2,
    promptsPerRound: [1, 0],
    tokens: { sequential: 30, sequentialStreaming: 28, total: 35, prompt: 200, cachedPrompt: 120 },
    wallMs: 1234,
  };

  it('answer is the final answer; reasoning is the rounds, which parse back', () => {
    expect(answerOf(result)).toBe('It is 4.');
    const reasoning = reasoningOf(result);
    expect(reasoning).toBe(renderTrajectory({ rounds, final: null }));
    expect(parseTrajectory(reasoning).rounds).toEqual(rounds);
    expect(finishReasonOf(result)).toBe('stop');
    expect(finishReasonOf({ ...result, finalAnswer: null })).toBe('length');
    expect(answerOf({ ...result, finalAnswer: null })).toBe(result.text);
  });

  it('usage carries prompt, completion and sequential tokens', () => {
    expect(usageOf(result.tokens)).toEqual({
      prompt_tokens: 200,
      completion_tokens: 35,
      total_tokens: 235,
      sequential_tokens: 30,
      prompt_tokens_details: { cached_tokens: 120 },
    });
    const body = chatCompletionBody(
      { id: 'chatcmpl-w', created: 1, model: 'sprint', workflowId: 'w', method: 'sprint' },
      result,
    );
    expect(body.choices[0]!.message).toEqual({
      role: 'assistant',
      content: 'It is 4.',
      reasoning: reasoningOf(result),
      reasoning_content: reasoningOf(result),
    });
    expect(body.sprint).toEqual({
      workflow_id: 'w',
      method: 'sprint',
      rounds: 2,
      prompts_per_round: [1, 0],
      wall_ms: 1234,
      sequential_tokens_streaming: 28,
    });
  });

  it('a reasoning delta carries `reasoning` (vLLM now) and `reasoning_content` (older vLLM, DeepSeek)', () => {
    const run = { id: 'chatcmpl-w', created: 1, model: 'sprint', workflowId: 'w', method: 'sprint' as const };
    expect(chatChunk(run, reasoningFields('<Plan_1>')).choices[0]!.delta).toEqual({
      reasoning: '<Plan_1>',
      reasoning_content: '<Plan_1>',
    });
  });

  it('baselines: the whole generation is the reasoning', () => {
    const seq = {
      ...result,
      method: 'sequential' as const,
      text: 'think... <Final_answer>\n4\n</Final_answer>',
      finalAnswer: '4',
    };
    expect(reasoningOf(seq)).toBe(seq.text);
  });
});
