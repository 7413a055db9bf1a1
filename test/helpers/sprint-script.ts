/**
 * TEST DOUBLE support: scripted SPRINT replies for the loopback engine. A scenario lists, per phase,
 * the plan body (with its prompts) and the executions; the script answers each request by its
 * prompt's content (planner turn, executor p.k under either prompt strategy, forced final answer).
 */
import { parsePlan } from '../../core/format';
import type { ModelRequestRecord, ReplyScript, ScriptedReply } from './loopback-model-server';

export interface ScenarioRound {
  /** Free text and prompts of the plan, in order. */
  parts: (string | { prompt: string })[];
  /** Execution text per prompt (same order). */
  executions: string[];
}

export interface Scenario {
  rounds: ScenarioRound[];
  final: string;
}

/** The plan body text exactly as the scripted model writes it for phase `phase`. */
export function scenarioPlanBody(phase: number, round: ScenarioRound): string {
  let k = 0;
  return round.parts
    .map((p) => (typeof p === 'string' ? p : `<prompt_${phase}.${++k}> ${p.prompt} </prompt_${phase}.${k}>`))
    .join('\n');
}

export function scenarioPrompts(round: ScenarioRound): string[] {
  return round.parts.filter((p): p is { prompt: string } => typeof p !== 'string').map((p) => p.prompt);
}

export type RequestKind =
  | { kind: 'plan'; phase: number }
  | { kind: 'execute'; phase: number; k: number; promptText?: string }
  | { kind: 'final' };

/** What a request to the double is, from its prompt. */
export function classify(prompt: string): RequestKind {
  if (prompt.endsWith('<Final_answer>\n')) return { kind: 'final' };
  const exec = /<execution_(\d+)\.(\d+)>\n$/.exec(prompt);
  if (exec) {
    const phase = Number(exec[1]);
    const planAt = prompt.lastIndexOf(`<Plan_${phase}>`);
    const plan = parsePlan(prompt.slice(planAt, prompt.lastIndexOf('<Execution_')), phase);
    const label = Number(exec[2]);
    const promptText = plan.prompts[label - 1]?.text;
    return { kind: 'execute', phase, k: label, ...(promptText !== undefined ? { promptText } : {}) };
  }
  const phase = (prompt.match(/<Plan_\d+>/g) ?? []).length + 1;
  return { kind: 'plan', phase };
}

export interface ScriptOptions {
  /** Per-token delay for every reply (ms). */
  perTokenDelayMs?: number;
  /** Fixed delay per reply (ms). */
  delayMs?: number | ((req: ModelRequestRecord, kind: RequestKind) => number);
  /** Override the reply of a request (return undefined for the scenario's). */
  override?: (req: ModelRequestRecord, kind: RequestKind) => ScriptedReply | undefined;
}

/** A reply script that plays the scenario. Executor k is found by its prompt text (works under `reorder`). */
export function sprintScript(s: Scenario, opts: ScriptOptions = {}): ReplyScript {
  return (req) => {
    const kind = classify(req.prompt);
    const over = opts.override?.(req, kind);
    if (over) return over;
    const delayMs = typeof opts.delayMs === 'function' ? opts.delayMs(req, kind) : (opts.delayMs ?? 0);
    const timing = { delayMs, ...(opts.perTokenDelayMs ? { perTokenDelayMs: opts.perTokenDelayMs } : {}) };
    if (kind.kind === 'final') return { text: `${s.final}\n</Final_answer>`, ...timing };
    if (kind.kind === 'plan') {
      const round = s.rounds[kind.phase - 1];
      if (!round) return { text: `<Final_answer>\n${s.final}\n</Final_answer>`, ...timing };
      return {
        text: `<Plan_${kind.phase}>\n${scenarioPlanBody(kind.phase, round)}\n</Plan_${kind.phase}>`,
        ...timing,
      };
    }
    const round = s.rounds[kind.phase - 1];
    const promptText = kind.promptText;
    const k = promptText ? scenarioPrompts(round!).indexOf(promptText) + 1 : kind.k;
    const text = round?.executions[k - 1] ?? `no scripted execution for ${kind.phase}.${k}`;
    return { text: `${text}\n</execution_${kind.phase}.${kind.k}>`, ...timing };
  };
}

/** Three rounds with 1, 2 and 5 prompts, then the final answer. */
export function threeRoundScenario(): Scenario {
  return {
    rounds: [
      {
        parts: [
          'We need the sum of the first few squares.',
          { prompt: 'Compute 1^2 + 2^2.' },
          'Then extend.',
        ],
        executions: ['1 + 4 = 5'],
      },
      {
        parts: ['Based on execution_1.1:', { prompt: 'Compute 3^2.' }, '-----', { prompt: 'Compute 4^2.' }],
        executions: ['3^2 = 9', '4^2 = 16'],
      },
      {
        parts: [
          'Based on execution_2.1, execution_2.2:',
          { prompt: 'Add 5 and 9.' },
          { prompt: 'Add 9 and 16.' },
          { prompt: 'Add 5 and 16.' },
          { prompt: 'Check 5 + 9 + 16.' },
          { prompt: 'Verify with n(n+1)(2n+1)/6 for n = 4.' },
        ],
        executions: ['14', '25', '21', '5 + 9 + 16 = 30', '4 * 5 * 9 / 6 = 30'],
      },
    ],
    final: 'The sum of the first four squares is \\boxed{30}.',
  };
}
