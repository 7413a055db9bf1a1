/*
 * Writes the demo's curated training data without the stack: the traces `npm run demo` generates
 * (config/demo.yaml's evaluation.countdown shape, the demo's trace seed and style, its evaluation
 * problems left out), curated by the offline extractor with the demo's curation settings, as the
 * trainer's prompt/completion JSONL (SPRINT samples in train.jsonl, the sequential ones in
 * rft/train.jsonl). eval.jsonl holds VALIDATION problems from another seed, none of them an
 * evaluation problem, all of them left out of the traces here: settings are tuned on those, never
 * on the demo's evaluation.
 * For iterating on the demo's model and training settings (infra/sft/demo_probe.py) in minutes
 * instead of a whole demo run. Run: npx tsx bench/demo-data.ts OUT_DIR [traces (400)] [validation problems (32)]
 * (DEMO_CONFIG=path.yaml reads another config than config/demo.yaml, to try curation settings).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { curateOne, type CurationSettings } from '../activities/curation';
import { demoTraceSource, evaluationProblems } from '../cli/actions/demo-held-out';
import { loadConfig } from '../config';
import { countdownQuestion, generateCountdown } from '../core/benchmarks';
import { servingShapeRecords } from '../core/curation/call-samples';
import { trainingPrompt } from '../core/curation/render';
import { generateCountdownTracesExcluding } from '../core/traces/countdown';
import { countdownKey } from '../core/traces/overlap';

/** The demo's default --limit: its evaluation problems, left out of the traces as the demo does. */
const EVALUATED = 48;
/** Validation problems come from this seed (the evaluation's is evaluation.countdown.seed). */
const VALIDATION_SEED = 3;
/** Problems drawn from that seed to find the distinct validation problems among. */
const VALIDATION_PROBLEMS_DRAWN = 2000;

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: npx tsx bench/demo-data.ts OUT_DIR [traces]');
  const count = Number(process.argv[3] ?? 400);
  const validationCount = Number(process.argv[4] ?? 32);
  const file = process.env.DEMO_CONFIG ?? path.join(__dirname, '..', 'config', 'demo.yaml');
  const config = loadConfig({ file, env: {} });
  const { generateSeed, traceShape } = demoTraceSource(config);
  const evaluated = evaluationProblems(config, EVALUATED);
  // Validation problems: evaluation.countdown's shape from another seed, none of them evaluated.
  // The space is small (about 150 problems, and 400 traces cover nearly all the others), so the
  // traces here also leave the validation problems out; the demo's own traces only leave out the
  // evaluated ones.
  const cd = config.evaluation.countdown;
  const evaluatedKeys = new Set(evaluated.map(countdownKey));
  const validationKeys = new Set<string>();
  const validation = generateCountdown(VALIDATION_PROBLEMS_DRAWN, VALIDATION_SEED, {
    ...cd,
    distinct: false,
  }).flatMap((p) => {
    if (p.target.kind !== 'countdown') return [];
    const key = countdownKey(p.target);
    if (evaluatedKeys.has(key) || validationKeys.has(key) || validationKeys.size >= validationCount)
      return [];
    validationKeys.add(key);
    return [{ question: p.question, nums: p.target.nums, target: p.target.target }];
  });
  const traces = generateCountdownTracesExcluding(count, generateSeed, traceShape, countdownQuestion, [
    ...evaluated,
    ...validation,
  ]);
  const settings = { ...config.curation, extractor: 'offline' } as CurationSettings;
  const rows: string[] = [];
  const rftRows: string[] = [];
  const reasons = new Map<string, number>();
  for (const t of traces) {
    const r = await curateOne(t, settings, {});
    if (r.status === 'kept' && r.sprint && r.rft) {
      const strategy = config.curation.servingCalls;
      for (const rec of strategy
        ? servingShapeRecords(r.sprint, strategy, config.curation.servingCallsLoss)
        : [r.sprint])
        rows.push(
          JSON.stringify({ prompt: rec.prompt, completion: rec.completion, nums: t.nums, target: t.target }),
        );
      rftRows.push(
        JSON.stringify({
          prompt: r.rft.prompt,
          completion: r.rft.completion,
          nums: t.nums,
          target: t.target,
        }),
      );
    } else reasons.set(r.reason ?? r.status, (reasons.get(r.reason ?? r.status) ?? 0) + 1);
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'train.jsonl'), rows.join('\n') + '\n');
  fs.mkdirSync(path.join(out, 'rft'), { recursive: true });
  fs.writeFileSync(path.join(out, 'rft', 'train.jsonl'), rftRows.join('\n') + '\n');
  // The validation problems, prompted as the sessions are.
  const evalRows = validation.map((p) =>
    JSON.stringify({
      prompt: trainingPrompt(p.question, config.session.systemPrompt ?? ''),
      nums: p.nums,
      target: p.target,
    }),
  );
  // Beside each training set, so demo_probe.py takes either folder (--data OUT or OUT/rft).
  for (const dir of [out, path.join(out, 'rft')])
    fs.writeFileSync(path.join(dir, 'eval.jsonl'), evalRows.join('\n') + '\n');
  console.log(
    `${rows.length} samples from ${count} traces -> ${out}/train.jsonl (${rftRows.length} sequential -> rft/train.jsonl); dropped: ${JSON.stringify(Object.fromEntries(reasons))}; ${evalRows.length} validation problems -> ${out}/eval.jsonl`,
  );
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
