import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  buildPlan,
  executorPrompt,
  executorPromptTail,
  forcedFinalPrompt,
  plannerPrompt,
  type Round,
} from '../../core/format';
import { callPrompt, joinParts } from '../../core/session/payload-limits';
import { policies } from '../../core/session/policies';
import { plannerPromptParts } from '../../core/session/prompt-parts';
import { batchRounds, replaceText, textAt, textsToStore } from '../../core/session/spill';
import { newTranscript, sessionProgress } from '../../core/session/transcript';
import type { RoundRecord, SessionText, SessionTranscript, StoredText } from '../../core/session-types';
import { ArtifactStore } from '../../io/artifacts';
import {
  readCallPrompt,
  readSessionText,
  readTranscript,
  storeIfLonger,
  storeText,
} from '../../io/session-texts';

/*
 * Long texts by reference (core/session/payload-limits.ts): whatever is stored, the prompt an
 * engine receives is exactly the one docs/sprint-format.md#inference-loop defines (plannerPrompt, executorPrompt),
 * and what readers get back is exactly what was written.
 */

const word = fc.stringMatching(/^[A-Za-z0-9+=*().,:;!?'-]{1,8}$/);
const sentence = fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
const roundsArb = fc.array(
  fc.tuple(
    fc.array(
      fc.oneof(
        sentence,
        sentence.map((prompt) => ({ prompt })),
      ),
      { minLength: 1, maxLength: 5 },
    ),
    fc.array(sentence, { maxLength: 5 }),
  ),
  { maxLength: 5 },
);

function buildRounds(spec: [(string | { prompt: string })[], string[]][]): Round[] {
  return spec.map(([parts, execs], i) => {
    const plan = buildPlan(i + 1, parts);
    return { plan, executions: plan.prompts.map((_, k) => execs[k] ?? `result ${k}`) };
  });
}

/** An in-memory stand-in for the store: stored texts keyed by a fake uri. */
class Texts {
  private readonly byUri = new Map<string, string>();
  store(text: string): StoredText {
    const uri = `artifact://sha256/${String(this.byUri.size).padStart(64, '0')}.txt`;
    this.byUri.set(uri, text);
    return { stored: { uri, sha256: uri.slice(18, 82), bytes: Buffer.byteLength(text) }, chars: text.length };
  }
  read(parts: string | SessionText[]): string {
    if (typeof parts === 'string') return parts;
    return parts.map((p) => (typeof p === 'string' ? p : this.byUri.get(p.stored.uri)!)).join('');
  }
}

describe('prompts as pieces', () => {
  it('property: with nothing stored, the pieces join to plannerPrompt exactly (one string)', () => {
    fc.assert(
      fc.property(sentence, roundsArb, (prefix, spec) => {
        const rounds = buildRounds(spec);
        const prompt = callPrompt(plannerPromptParts(prefix, rounds, undefined));
        expect(prompt).toBe(plannerPrompt(prefix, rounds));
      }),
    );
  });

  it('property: stored executions and a stored head read back to the same prompts', () => {
    fc.assert(
      fc.property(
        sentence,
        roundsArb,
        fc.nat(),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (prefix, spec, headAt, storeMask) => {
          const rounds = buildRounds(spec);
          const texts = new Texts();
          let i = 0;
          const stored = rounds.map((r) => ({
            plan: r.plan,
            executions: r.executions.map((e): SessionText =>
              storeMask[i++ % (storeMask.length || 1)] ? texts.store(e) : e,
            ),
          }));
          const h = rounds.length ? headAt % (rounds.length + 1) : 0;
          const head = { text: texts.store(plannerPrompt(prefix, rounds.slice(0, h))), rounds: h };
          for (const useHead of [undefined, head]) {
            const parts = plannerPromptParts(prefix, stored, useHead);
            expect(texts.read(callPrompt(parts))).toBe(plannerPrompt(prefix, rounds));
            const tail = policies.released.forcedFinalTail;
            expect(texts.read(callPrompt([...parts, tail]))).toBe(forcedFinalPrompt(prefix, rounds, tail));
          }
        },
      ),
    );
  });

  it('executor prompt = planner prompt + tail, for both strategies', () => {
    const rounds = buildRounds([[['Plan one.', { prompt: 'a' }], ['A']]]);
    const plan = buildPlan(2, ['intro', { prompt: 'x' }, { prompt: 'y' }]);
    for (const strategy of ['reorder', 'shared-prefix'] as const)
      for (const k of [1, 2])
        expect(plannerPrompt('P ', rounds) + executorPromptTail(plan, k, strategy)).toBe(
          executorPrompt('P ', rounds, plan, k, strategy),
        );
  });

  it('a head covering more rounds than there are is not used', () => {
    const rounds = buildRounds([[['p', { prompt: 'a' }], ['A']]]);
    const texts = new Texts();
    const parts = plannerPromptParts('P ', rounds, { text: texts.store('unrelated'), rounds: 3 });
    expect(texts.read(callPrompt(parts))).toBe(plannerPrompt('P ', rounds));
  });

  it('callPrompt joins neighbouring strings, drops empty ones, keeps stored pieces in order', () => {
    const texts = new Texts();
    const a = texts.store('AAA');
    expect(callPrompt(['x', '', 'y'])).toBe('xy');
    expect(callPrompt([])).toBe('');
    expect(callPrompt(['x', 'y', a, '', 'z', 'w'])).toEqual(['xy', a, 'zw']);
    expect(joinParts([a, a])).toEqual([a, a]);
  });
});

function round(phase: number, executions: SessionText[]): RoundRecord<SessionText> {
  const plan = buildPlan(
    phase,
    executions.map((_, i) => ({ prompt: `p${i}` })),
  );
  return {
    phase,
    plan,
    executions,
    forcedFinal: false,
    calls: executions.map((e, i) => ({
      kind: 'execute',
      phase,
      k: i + 1,
      try: 1,
      queue: 'q',
      raw: typeof e === 'string' ? `${e}\n</execution_${phase}.${i + 1}>` : e,
      usage: { promptTokens: 1, completionTokens: 1 },
      startedAt: 0,
      endedAt: 0,
      latencyMs: 0,
      pool: 'p',
      replica: 'r',
      attempt: 1,
      finishReason: 'stop',
    })),
    promptEndTokens: [],
    startedAt: 0,
    planEndedAt: 0,
    endedAt: 0,
    problems: [],
  };
}

function transcriptOf(rounds: RoundRecord<SessionText>[]): SessionTranscript<SessionText> {
  const t = newTranscript<SessionText>({
    workflowId: 'w',
    question: 'q',
    startedAt: 0,
    settings: {},
    planner: { pool: 'p', model: 'm' },
    executor: { pool: 'p', model: 'm' },
  });
  t.rounds.push(...rounds);
  return t;
}

describe('bounding a transcript before it leaves the workflow', () => {
  it('nothing to store when it fits', () => {
    expect(textsToStore(transcriptOf([round(1, ['short'])]), 10_000)).toEqual([]);
  });

  it('stores the longest texts first until the JSON fits the budget', () => {
    const sizes = [7000, 500, 7900, 3000, 6000];
    const t = transcriptOf([
      round(
        1,
        sizes.slice(0, 3).map((n) => 'a'.repeat(n)),
      ),
      round(
        2,
        sizes.slice(3).map((n) => 'b'.repeat(n)),
      ),
    ]);
    const budget = 30_000;
    expect(JSON.stringify(t).length).toBeGreaterThan(budget);
    const places = textsToStore(t, budget);
    const lengths = places.map((p) => textAt(t, p).length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    const texts = new Texts();
    for (const p of places) replaceText(t, p, texts.store(textAt(t, p)));
    expect(JSON.stringify(t).length).toBeLessThanOrEqual(budget);
    // the short ones stayed inline
    expect(t.rounds[0]!.executions[1]).toBe('a'.repeat(500));
  });
});

describe('rounds in batches', () => {
  it('property: batches keep every round in order, each within the budget unless a lone round is larger', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 60 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 200 }),
        (rounds, budget) => {
          const batches = batchRounds(rounds, budget);
          expect(batches.flat()).toEqual(rounds);
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0);
            const size = b.reduce((n, r) => n + JSON.stringify(r).length, 0);
            if (b.length > 1) expect(size).toBeLessThanOrEqual(budget);
          }
        },
      ),
    );
  });
});

describe('the progress answer', () => {
  const t = transcriptOf([1, 2, 3, 4].map((p) => round(p, ['x'.repeat(1000)])));

  it('gives rounds from the asked one on, within the budget, and how many there are', () => {
    const all = sessionProgress(t, 5, 'planning', []);
    expect(all.rounds.map((r) => r.phase)).toEqual([1, 2, 3, 4]);
    expect([all.roundsFrom, all.roundCount]).toEqual([0, 4]);
    const from2 = sessionProgress(t, 5, 'planning', [], 2);
    expect(from2.rounds.map((r) => r.phase)).toEqual([3, 4]);
    expect(from2.roundsFrom).toBe(2);
    const oneRound = JSON.stringify(t.rounds[0]).length;
    const budgeted = sessionProgress(t, 5, 'planning', [], 0, oneRound * 2 + 10);
    expect(budgeted.rounds.map((r) => r.phase)).toEqual([1, 2]);
    // at least one round even when a single one is over the budget
    expect(sessionProgress(t, 5, 'planning', [], 1, 10).rounds.map((r) => r.phase)).toEqual([2]);
    expect(sessionProgress(t, 5, 'idle', [], 99).rounds).toEqual([]);
  });
});

describe('stored texts in the artifact store', () => {
  let dir: string;
  let store: ArtifactStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'texts-'));
    store = new ArtifactStore(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stores past the threshold only, and reads back the exact text (unicode included)', async () => {
    const text = 'é😀 long '.repeat(50);
    expect(await storeIfLonger(store, text, undefined)).toBe(text);
    expect(await storeIfLonger(store, text, text.length)).toBe(text);
    const stored = await storeIfLonger(store, text, text.length - 1);
    expect(typeof stored).not.toBe('string');
    expect(await readSessionText(store, stored)).toBe(text);
    expect(await readCallPrompt(store, ['<', stored, '>'])).toBe(`<${text}>`);
  });

  it('a worker without the store, or a text whose length does not match, fails with a named error', async () => {
    const stored = await storeText(store, 'abc');
    await expect(readSessionText(undefined, stored)).rejects.toMatchObject({ type: 'ArtifactMissing' });
    await expect(readSessionText(store, { ...stored, chars: 4 })).rejects.toMatchObject({
      type: 'ArtifactCorrupt',
    });
    await expect(storeIfLonger(undefined, 'abcd', 2)).rejects.toThrow(/same artifacts.root/);
  });

  it('a transcript reads back with every text in place', async () => {
    const long = 'L'.repeat(100);
    const t = transcriptOf([round(1, ['short', await storeText(store, long)])]);
    t.rounds[0]!.calls[1]!.raw = await storeText(store, `${long}\n</execution_1.2>`);
    const read = await readTranscript(store, t);
    expect(read.rounds[0]!.executions).toEqual(['short', long]);
    expect(read.rounds[0]!.calls.map((c) => c.raw)).toEqual([
      'short\n</execution_1.1>',
      `${long}\n</execution_1.2>`,
    ]);
  });
});
