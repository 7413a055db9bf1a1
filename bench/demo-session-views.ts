/*
 * The session's own prompt pieces for infra/sft/demo_session_probe.py, so that the probe decodes a
 * model call by call with the texts a session sends (core/format), not a Python copy of them.
 * Reads one JSON object on stdin, writes one on stdout:
 *   {"mode":"tails","strategy":"shared-prefix","maxPrompts":4,"plans":[raw planner reply, ...]}
 *     -> [{"tails":[executor k's prompt tail, ...]}, ...] (the text after `<think>\n`, per executor)
 *   {"mode":"history","maxPrompts":4,"plans":[...],"executions":[[raw executor reply, ...], ...]}
 *     -> [{"history": the finished round as the next planner call reads it, "executions": [cleaned
 *        executor text, ...]}, ...] (replies cleaned as the session cleans them)
 * Run by the probe: npx tsx bench/demo-session-views.ts < request.json
 */
import * as fs from 'node:fs';
import { executorPromptTail, renderHistory, type ExecutorStrategy } from '../core/format/prompts';
import { parsePlan } from '../core/format/plan';
import { parseExecutionOutput } from '../core/format/trajectory';

interface Request {
  mode: 'tails' | 'history';
  strategy?: ExecutorStrategy;
  maxPrompts: number;
  plans: string[];
  executions?: string[][];
}

function main(): void {
  const req = JSON.parse(fs.readFileSync(0, 'utf8')) as Request;
  const plans = req.plans.map((raw) => parsePlan(raw, 1, { maxPrompts: req.maxPrompts }));
  const out =
    req.mode === 'tails'
      ? plans.map((plan) => ({
          tails: plan.prompts.map((_, i) => executorPromptTail(plan, i + 1, req.strategy ?? 'shared-prefix')),
        }))
      : plans.map((plan, i) => {
          const executions = (req.executions?.[i] ?? []).map((raw) => parseExecutionOutput(raw).text);
          return { history: renderHistory([{ plan, executions }]), executions };
        });
  process.stdout.write(JSON.stringify(out));
}

main();
