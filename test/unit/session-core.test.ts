import fc from 'fast-check';
import { accountSession } from '../../core/accounting';
import { parsePlan, parseTrajectory } from '../../core/format';
import {
  callSampling,
  callSeed,
  executeSummary,
  planSummary,
  resampledReason,
} from '../../core/session/calls';
import { promptEndTokens } from '../../core/session/prompt-end-tokens';
import { executionProblems, planProblems, promptRounds, roundUsage } from '../../core/session/rounds';
import { newTranscript, routeSnapshot, sessionProgress, sessionResult } from '../../core/session/transcript';
import type { CallRecord, RoundRecord } from '../../core/session-types';

const timing = {
  startedAt: 0,
  endedAt: 1,
  latencyMs: 1,
  pool: 'p',
  replica: 'r',
  attempt: 1,
  finishReason: 'stop',
};

function call(
  kind: 'plan' | 'execute',
  k: number | undefined,
  completionTokens: number,
  discarded?: string,
): CallRecord {
  return {
    kind,
    phase: 1,
    ...(k !== undefined ? { k } : {}),
    try: 1,
    queue: 'q',
    raw: '',
    usage: { promptTokens: 10, completionTokens },
    ...timing,
    ...(discarded ? { discarded } : {}),
  };
}

function round(
  phase: number,
  planRaw: string,
  executions: string[],
  calls: CallRecord[],
  problems: string[] = [],
): RoundRecord {
  const plan = parsePlan(planRaw, phase);
  return {
    phase,
    plan,
    executions,
    ...(plan.final !== undefined ? { final: plan.final } : {}),
    forcedFinal: false,
    calls,
    promptEndTokens: [],
    startedAt: 0,
    planEndedAt: 0,
    endedAt: 0,
    problems,
  };
}

describe('session calls', () => {
  it('derives no seed without a base seed, and distinct seeds for distinct calls of a session', () => {
    expect(callSeed(undefined, 3, 2, 1)).toBeUndefined();
    const callId = fc.tuple(
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 0, max: 900 }),
      fc.integer({ min: 1, max: 100 }),
    );
    fc.assert(
      fc.property(fc.nat(1_000_000), callId, callId, (base, a, b) => {
        fc.pre(a.join() !== b.join());
        expect(callSeed(base, ...a)).not.toBe(callSeed(base, ...b));
      }),
    );
  });

  it('samples with the session settings, leaving unset topP and seed out of the request', () => {
    expect(callSampling({ maxTokensPerCall: 800, temperature: 0.6 }, 1, 0, 1)).toEqual({
      maxTokens: 800,
      temperature: 0.6,
    });
    const s = callSampling({ maxTokensPerCall: 800, temperature: 0.6, topP: 0.9, seed: 7 }, 2, 1, 1);
    expect(s).toEqual({ maxTokens: 800, temperature: 0.6, topP: 0.9, seed: callSeed(7, 2, 1, 1) });
  });

  it('names calls as the UI shows them', () => {
    expect(planSummary(3, false, 1)).toBe('plan 3');
    expect(planSummary(12, true, 2)).toBe('plan 12 (forced answer) (try 2)');
    expect(executeSummary(3, 2, 1)).toBe('execute 3.2');
    expect(executeSummary(3, 2, 3)).toBe('execute 3.2 (try 3)');
    expect(resampledReason('plan', 1200, 1000)).toBe('plan of 1200 tokens > 1000: resampled');
  });
});

describe('session rounds', () => {
  const plan1 = '<Plan_1>\nSplit.\n<prompt_1.1>\nA\n</prompt_1.1>\n<prompt_1.2>\nB\n</prompt_1.2>\n</Plan_1>';

  it('counts kept calls per role and discarded ones apart; a missing executor counts zero', () => {
    const r = round(
      1,
      plan1,
      ['a', 'b'],
      [
        call('plan', undefined, 900, 'plan of 900 tokens > 500: resampled'),
        call('plan', undefined, 300),
        call('execute', 2, 40),
      ],
    );
    const u = roundUsage(r);
    expect(u.planner.completionTokens).toBe(300);
    expect(u.executors.map((e) => e.completionTokens)).toEqual([0, 40]);
    expect(u.discarded?.map((d) => d.completionTokens)).toEqual([900]);
  });

  it('builds prompts from every round but the one that answered', () => {
    const rounds = [round(1, plan1, ['a', 'b'], []), round(2, '<Final_answer>\n42\n</Final_answer>', [], [])];
    expect(promptRounds(rounds).map((r) => r.plan.phase)).toEqual([1]);
  });

  it('words the problems of plan and execution replies with their phase and prompt', () => {
    const plan = parsePlan('no tags at all', 2);
    const out = planProblems(2, { plan, finishReason: 'length', signalErrors: ['timeout'] }, 8000);
    expect(out.slice(0, plan.problems.length)).toEqual(plan.problems.map((p) => `plan 2: ${p}`));
    expect(out.slice(plan.problems.length)).toEqual([
      'plan 2: cut at the token limit (8000)',
      'streaming signal lost (timeout): dispatched after the plan',
    ]);
    expect(executionProblems(2, 3, { problems: ['x'], finishReason: 'length' })).toEqual([
      'execution 2.3: x',
      'execution 2.3: cut at the token limit',
    ]);
    expect(executionProblems(2, 3, { problems: [], finishReason: 'stop' })).toEqual([]);
  });
});

describe('planner tokens at each prompt end', () => {
  const plan = parsePlan(
    '<Plan_1>\nab <prompt_1.1> x </prompt_1.1> cd <prompt_1.2> y </prompt_1.2>\n</Plan_1>',
    1,
  );

  it('scales the stream chunks at each prompt to the engine token count when streamed', () => {
    expect(promptEndTokens(plan, 100, { total: 40, atPrompt: [10, 30] })).toEqual([25, 75]);
    // A prompt the stream never saw close counts at the end.
    expect(promptEndTokens(plan, 100, { total: 40, atPrompt: [10] })).toEqual([25, 100]);
  });

  it('estimates from where each prompt ends in the plan text otherwise (and for an empty stream)', () => {
    const estimated = promptEndTokens(plan, 100);
    expect(promptEndTokens(plan, 100, { total: 0, atPrompt: [] })).toEqual(estimated);
    expect(estimated[1]).toBe(100);
    expect(estimated[0]).toBeGreaterThan(0);
    expect(estimated[0]).toBeLessThan(estimated[1]!);
  });
});

describe('session transcript', () => {
  it('records a route without a replica key when the pool has none', () => {
    const route = { pool: 'p', model: 'm' };
    expect(routeSnapshot({ route, state: { queue: 'sprint-llm-p', failedOver: false } })).toEqual({
      pool: 'p',
      model: 'm',
      queue: 'sprint-llm-p',
      failedOver: false,
    });
    expect(routeSnapshot({ route, state: { replica: 'gpu0', queue: 'q0', failedOver: true } }).replica).toBe(
      'gpu0',
    );
  });

  it('turns a finished transcript into a result whose text parses back to its rounds and answer', () => {
    const t = newTranscript({
      workflowId: 'w',
      question: 'Q?',
      startedAt: 1000,
      settings: {},
      planner: { pool: 'p', model: 'm' },
      executor: { pool: 'p', model: 'm' },
    });
    expect(sessionProgress(t, 0, 'idle', [])).toMatchObject({
      phase: 0,
      status: 'running',
      rounds: [],
      runs: 1,
    });
    t.rounds.push(
      round(
        1,
        '<Plan_1>\nSplit.\n<prompt_1.1>\nA\n</prompt_1.1>\n</Plan_1>',
        ['done a'],
        [call('plan', undefined, 30), call('execute', 1, 50)],
        ['r1'],
      ),
      round(2, '<Final_answer>\n42\n</Final_answer>', [], [call('plan', undefined, 5)]),
    );
    t.final = '42';
    t.status = 'completed';
    t.problems.push('s1');
    t.tokens = accountSession(t.rounds.map(roundUsage));
    const ref = { uri: `artifact://sha256/${'a'.repeat(64)}.json`, sha256: 'a'.repeat(64), bytes: 10 };
    const r = sessionResult(t, ref, 4000);
    expect(r.wallMs).toBe(3000);
    expect(r.transcript).toBe(ref);
    expect(r.problems).toEqual(['s1', 'r1']);
    expect(r.promptsPerRound).toEqual([1, 0]);
    expect(r.roundTokens.map((x) => [x.phase, x.sequential])).toEqual([
      [1, 80],
      [2, 5],
    ]);
    expect(r.tokens.sequential).toBe(85);
    if (typeof r.text !== 'string') throw new Error('expected the text rendered inline');
    const parsed = parseTrajectory(r.text);
    expect(parsed.final).toBe('42');
    expect(parsed.rounds.map((x) => x.executions)).toEqual([['done a']]);
  });
});
