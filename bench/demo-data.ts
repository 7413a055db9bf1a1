/*
 * Writes the demo's curated training data without the stack: the traces `npm run demo` generates
 * (config/demo.yaml's evaluation.countdown shape, the demo's trace seed and style), curated by the
 * offline extractor with the demo's curation settings, as the trainer's prompt/completion JSONL.
 * For iterating on the demo's model and training settings (infra/sft/demo_probe.py) in minutes
 * instead of a whole demo run. Run: npx tsx bench/demo-data.ts OUT_DIR [traces]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { curateOne, type CurationSettings } from '../activities/curation';
import { demoTraceSource } from '../cli/actions/demo';
import { loadConfig } from '../config';
import { countdownQuestion, generateCountdown } from '../core/benchmarks';
import { servingCallRecords } from '../core/curation/call-samples';
import { trainingPrompt } from '../core/curation/render';
import { generateCountdownTraces } from '../core/traces/countdown';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: npx tsx bench/demo-data.ts OUT_DIR [traces]');
  const count = Number(process.argv[3] ?? 200);
  const config = loadConfig({ file: path.join(__dirname, '..', 'config', 'demo.yaml'), env: {} });
  const { generateSeed, traceShape } = demoTraceSource(config);
  const traces = generateCountdownTraces(count, generateSeed, traceShape, countdownQuestion);
  const settings = { ...config.curation, extractor: 'offline' } as CurationSettings;
  const rows: string[] = [];
  const rftRows: string[] = [];
  const reasons = new Map<string, number>();
  for (const t of traces) {
    const r = await curateOne(t, settings, {});
    if (r.status === 'kept' && r.sprint && r.rft) {
      const strategy = config.curation.servingCalls;
      for (const rec of strategy ? servingCallRecords(r.sprint, strategy) : [r.sprint])
        rows.push(
          JSON.stringify({ prompt: rec.prompt, completion: rec.completion, nums: t.nums, target: t.target }),
        );
      rftRows.push(JSON.stringify({ prompt: r.rft.prompt, completion: r.rft.completion }));
    } else reasons.set(r.reason ?? r.status, (reasons.get(r.reason ?? r.status) ?? 0) + 1);
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'train.jsonl'), rows.join('\n') + '\n');
  fs.mkdirSync(path.join(out, 'rft'), { recursive: true });
  fs.writeFileSync(path.join(out, 'rft', 'train.jsonl'), rftRows.join('\n') + '\n');
  // The problems the demo evaluates (evaluation.countdown, its seed), prompted as the sessions are.
  const cd = config.evaluation.countdown;
  const evalRows = generateCountdown(Number(process.argv[4] ?? 24), cd.seed, cd).flatMap((p) =>
    p.target.kind === 'countdown'
      ? [
          JSON.stringify({
            prompt: trainingPrompt(p.question, config.session.systemPrompt ?? ''),
            nums: p.target.nums,
            target: p.target.target,
          }),
        ]
      : [],
  );
  fs.writeFileSync(path.join(out, 'eval.jsonl'), evalRows.join('\n') + '\n');
  console.log(
    `${rows.length} of ${count} traces kept -> ${out}/train.jsonl; dropped: ${JSON.stringify(Object.fromEntries(reasons))}`,
  );
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
