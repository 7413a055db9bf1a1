/*
 * LLM step extraction and DAG building (docs/sprint-format.md#curation-pipeline, steps 2-3) on the model client:
 * chat calls with JSON output, validated by zod and by the curation invariants; an invalid reply is
 * shown back to the model with its error (a bounded repair loop), then the trace is recorded as
 * failed. Transport errors (429, 5xx, timeouts) are thrown as ModelCallError: the activity turns them
 * into Temporal retries (429's retry-after becomes the next retry delay).
 */
import { z } from 'zod';
import type { EngineKind } from '../../config/schema';
import type { ChatMessage, ModelClient, TokenUsage } from '../model-client';
import { linesText, numberedListing, type TraceLine } from '../../core/curation/lines';
import { PackingError, validateDag, type Component, type Dag } from '../../core/packing';
import { DagInputError, normalizeDag } from '../../core/packing/dag-input';

export const STEPS_SYSTEM = `You segment a sequential reasoning trace into steps for parallel execution.
The user gives a question and the trace split into numbered lines "[n] text".
Return JSON: {"components": [{"id": 1, "description": "...", "planLines": [a, b] or null, "prompt": "..." or null, "executionLines": [a, b] or null, "commentLines": [a, b] or null}, ...]}
Rules:
- Components are in trace order with ids 1, 2, 3, ...
- planLines: the few lines that decide what to do next in this step (null when the step starts straight with its work). executionLines: the lines that do the work. commentLines: optional remarks on the result.
- Every line number from 1 to the last line belongs to exactly one range of exactly one component; ranges are inclusive [first, last], never overlap, and a component's plan, execution and comment do not overlap.
- prompt: an explicit, self-contained instruction for the execution (an executor that has not read the step's plan must be able to do the work from the prompt and the earlier results). Use null when the step has no execution.
- A step with no separate work has "executionLines": null and "prompt": null.
- A verification or check of an earlier result is its own component.
- Output only the JSON object.`;

export const DAG_SYSTEM = `You find the dependencies between the steps of a reasoning trace.
The user gives the steps in order, each with its id, description, plan and prompt.
For each step, list the ids of the earlier steps whose results it needs (not steps it merely follows).
Independent alternatives (different cases, different attempts) do not depend on each other.
Return JSON: {"dag": {"1": [], "2": [1], "3": [1], ...}} with every step id as a key; parents must be smaller ids.
Output only the JSON object.`;

const range = z.tuple([z.number().int(), z.number().int()]);

const stepsReply = z.object({
  components: z
    .array(
      z.object({
        id: z.number().int(),
        description: z.string().default(''),
        // null: the step has no separate plan (the extractor's "None"); it is still a component.
        planLines: range.nullable().default(null),
        prompt: z.string().nullable().default(null),
        executionLines: range.nullable().default(null),
        commentLines: range.nullable().optional(),
      }),
    )
    .min(1),
});

// Ids may come as integers or strings ("2", "Component 2"): normalised by normalizeDag.
const dagReply = z.object({
  dag: z.record(z.string(), z.array(z.union([z.number().int(), z.string()])).nullable()),
});

export type StepsReply = z.infer<typeof stepsReply>;

/** Why one trace could not be extracted (recorded for the trace; the run goes on). */
export class ExtractionFailure extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid-steps' | 'invalid-dag' | 'trace-too-long' | 'empty-trace',
    readonly usage: TokenUsage,
    readonly calls: number,
  ) {
    super(message);
    this.name = 'ExtractionFailure';
  }
}

/** Checks the curation invariants of a steps reply against the trace's lines; returns the problems. */
export function checkSteps(reply: StepsReply, lineCount: number): string[] {
  const problems: string[] = [];
  const owner = new Array<string | undefined>(lineCount + 1);
  reply.components.forEach((c, i) => {
    if (c.id !== i + 1)
      problems.push(`component at position ${i + 1} has id ${c.id}; ids must be 1, 2, 3, ... in order`);
    const parts: [string, [number, number] | null | undefined][] = [
      ['planLines', c.planLines],
      ['executionLines', c.executionLines],
      ['commentLines', c.commentLines],
    ];
    for (const [name, r] of parts) {
      if (!r) continue;
      const [a, b] = r;
      if (a > b || a < 1 || b > lineCount) {
        problems.push(`component ${c.id} ${name} [${a}, ${b}] is not a range within lines 1..${lineCount}`);
        continue;
      }
      for (let n = a; n <= b; n++) {
        const here = `component ${c.id} ${name}`;
        if (owner[n]) problems.push(`line ${n} is in both ${owner[n]} and ${here}`);
        else owner[n] = here;
      }
    }
    if (c.executionLines && !c.prompt?.trim())
      problems.push(`component ${c.id} has executionLines but no prompt`);
    if (!c.executionLines && c.prompt?.trim())
      problems.push(`component ${c.id} has a prompt but no executionLines`);
  });
  const missing: number[] = [];
  for (let n = 1; n <= lineCount; n++) if (!owner[n]) missing.push(n);
  if (missing.length) problems.push(`lines not covered by any component: ${compactList(missing)}`);
  // Cap the list so a repair prompt stays short.
  return problems.length > 12
    ? [...problems.slice(0, 12), `... and ${problems.length - 12} more problems`]
    : problems;
}

function compactList(ns: number[]): string {
  const out: string[] = [];
  let start = ns[0]!;
  let prev = start;
  for (const n of [...ns.slice(1), Number.NaN]) {
    if (n === prev + 1) {
      prev = n;
      continue;
    }
    out.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = n;
    prev = n;
  }
  return out.join(', ');
}

/** Components with their text, from a valid steps reply and the lines. */
export function toComponents(reply: StepsReply, lines: TraceLine[]): Component[] {
  return reply.components.map((c) => ({
    id: c.id,
    description: c.description,
    plan: c.planLines ? linesText(lines, c.planLines) : null,
    prompt: c.executionLines ? (c.prompt ?? '').trim() : null,
    execution: c.executionLines ? linesText(lines, c.executionLines) : null,
    planLines: c.planLines,
    executionLines: c.executionLines,
    ...(c.commentLines ? { comment: linesText(lines, c.commentLines), commentLines: c.commentLines } : {}),
  }));
}

export interface LlmExtractionOptions {
  maxRepairs: number;
  temperature: number;
  maxTokens: number;
  contextBudgetTokens: number;
  jsonMode: boolean;
  /**
   * With jsonMode, ask engines that support it (openai, vllm, sglang) for `response_format:
   * json_schema` generated from the reply's zod schema; other engines get `json_object`.
   */
  structuredOutputs?: boolean;
  signal?: AbortSignal;
  /** Called between calls (the activity heartbeats). */
  onCall?: (what: string) => void;
}

export interface LlmExtraction {
  components: Component[];
  dag: Dag;
  stepsUsage: TokenUsage;
  dagUsage: TokenUsage;
  calls: number;
  repairs: number;
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
  };
}

function parseJson(text: string): unknown {
  // Tolerate a fenced block around the JSON object.
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  return JSON.parse((fenced ? fenced[1]! : text).trim());
}

/** The engines that take a JSON schema as `response_format` (`generic` may not). */
const SCHEMA_ENGINES: ReadonlySet<EngineKind> = new Set(['openai', 'vllm', 'sglang']);

/** The `response_format` of a structured call: a JSON schema generated from the zod schema where the engine takes one. */
export function responseFormatFor(
  client: ModelClient,
  schema: z.ZodType,
  name: string,
  opts: Pick<LlmExtractionOptions, 'jsonMode' | 'structuredOutputs'>,
): Record<string, unknown> | undefined {
  if (!opts.jsonMode) return undefined;
  if (opts.structuredOutputs === false || !SCHEMA_ENGINES.has(client.endpoint.engine))
    return { type: 'json_object' };
  // io 'input': fields with defaults may be left out by the model; zod fills them in.
  return {
    type: 'json_schema',
    json_schema: { name, schema: z.toJSONSchema(schema, { io: 'input' }), strict: false },
  };
}

/**
 * One structured call with the repair loop: `check` returns problems (empty = valid). Returns the
 * valid value, or throws ExtractionFailure after maxRepairs repairs.
 */
async function structuredCall<T>(
  client: ModelClient,
  messages: ChatMessage[],
  schema: z.ZodType<T>,
  check: (value: T) => string[],
  opts: LlmExtractionOptions,
  what: 'steps' | 'dag',
): Promise<{ value: T; usage: TokenUsage; calls: number; repairs: number }> {
  let usage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  const convo = [...messages];
  let lastProblems: string[] = [];
  const responseFormat = responseFormatFor(client, schema, `sprint_${what}`, opts);
  for (let attempt = 0; attempt <= opts.maxRepairs; attempt++) {
    opts.onCall?.(`${what} call ${attempt + 1}`);
    const res = await client.chat(
      {
        messages: convo,
        maxTokens: opts.maxTokens,
        temperature: opts.temperature,
        ...(responseFormat ? { responseFormat } : {}),
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    usage = addUsage(usage, res.usage);
    let problems: string[];
    let value: T | undefined;
    try {
      const parsed = schema.safeParse(parseJson(res.text));
      if (!parsed.success) {
        problems = parsed.error.issues
          .slice(0, 8)
          .map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
      } else {
        value = parsed.data;
        problems = check(parsed.data);
      }
    } catch (err) {
      problems = [`the reply is not valid JSON (${(err as Error).message})`];
    }
    if (value !== undefined && !problems.length)
      return { value, usage, calls: attempt + 1, repairs: attempt };
    lastProblems = problems;
    convo.push(
      { role: 'assistant', content: res.text },
      {
        role: 'user',
        content: `Your answer is invalid:\n${problems.map((p) => `- ${p}`).join('\n')}\nReturn the corrected JSON object only, following every rule.`,
      },
    );
  }
  throw new ExtractionFailure(
    `${what} reply still invalid after ${opts.maxRepairs} repair(s): ${lastProblems.join('; ')}`,
    what === 'steps' ? 'invalid-steps' : 'invalid-dag',
    usage,
    opts.maxRepairs + 1,
  );
}

/** Rough token estimate for the context budget (no tokenizer for every model: ~4 characters a token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export async function extractSteps(
  client: ModelClient,
  question: string,
  lines: TraceLine[],
  opts: LlmExtractionOptions,
): Promise<{ components: Component[]; usage: TokenUsage; calls: number; repairs: number }> {
  const zero = { promptTokens: 0, completionTokens: 0 };
  if (!lines.length) throw new ExtractionFailure('the trace has no lines', 'empty-trace', zero, 0);
  const listing = numberedListing(lines);
  const estimate = estimateTokens(STEPS_SYSTEM + question + listing) + opts.maxTokens;
  if (estimate > opts.contextBudgetTokens) {
    throw new ExtractionFailure(
      `trace too long for extraction: about ${estimate} tokens with the reply, budget ${opts.contextBudgetTokens}`,
      'trace-too-long',
      zero,
      0,
    );
  }
  const messages: ChatMessage[] = [
    { role: 'system', content: STEPS_SYSTEM },
    { role: 'user', content: `Question:\n${question}\n\nTrace (${lines.length} lines):\n${listing}` },
  ];
  const r = await structuredCall(
    client,
    messages,
    stepsReply,
    (v) => checkSteps(v, lines.length),
    opts,
    'steps',
  );
  return { components: toComponents(r.value, lines), usage: r.usage, calls: r.calls, repairs: r.repairs };
}

export async function buildDag(
  client: ModelClient,
  components: Component[],
  opts: LlmExtractionOptions,
): Promise<{ dag: Dag; usage: TokenUsage; calls: number; repairs: number }> {
  const listing = components
    .map(
      (c) =>
        `Step ${c.id}: ${c.description ?? ''}\n  plan: ${(c.plan ?? '(none)').replace(/\n/g, ' ')}\n  prompt: ${c.prompt ?? '(none: plan only)'}`,
    )
    .join('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: DAG_SYSTEM },
    { role: 'user', content: `Steps (${components.length}):\n${listing}` },
  ];
  const check = (v: z.infer<typeof dagReply>): string[] => {
    let dag: Dag;
    try {
      dag = normalizeDag(v.dag, 'dag');
    } catch (err) {
      if (err instanceof DagInputError) return [err.message];
      throw err;
    }
    const problems: string[] = [];
    for (const c of components)
      if (!(String(c.id) in dag)) problems.push(`step ${c.id} is missing from the dag`);
    try {
      validateDag(components, dag);
    } catch (err) {
      if (err instanceof PackingError) problems.push(err.message);
      else throw err;
    }
    return problems;
  };
  const r = await structuredCall(client, messages, dagReply, check, opts, 'dag');
  return { dag: normalizeDag(r.value.dag, 'dag'), usage: r.usage, calls: r.calls, repairs: r.repairs };
}
