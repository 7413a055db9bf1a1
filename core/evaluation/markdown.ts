/* Markdown evaluation reports (pure): one run, or several runs with buckets and paired comparisons. */
import type { BucketRow, PairedComparison, RunSummary } from './summary';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

function distText(d: { value: number; count: number }[]): string {
  return d.length ? d.map((x) => `${x.value}: ${x.count}`).join(', ') : '-';
}

export interface ReportInput {
  title: string;
  runs: RunSummary[];
  /** Length-bucket view of each method against the sequential baseline (binned by the baseline's length). */
  buckets?: { method: string; baseline: string; rows: BucketRow[] }[];
  comparisons?: PairedComparison[];
  /** Plot files relative to the report, with captions. */
  plots?: { file: string; caption: string }[];
  notes?: string[];
}

export function renderReport(input: ReportInput): string {
  const lines: string[] = [`# ${input.title}`, ''];
  lines.push(
    '| run | benchmark | method | problems | accuracy | 95% CI (Wilson) | mean seq. tokens | median seq. | mean total tokens | mean prompt | mean cached | mean rounds | mean wall (ms) | errors | no answer |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of input.runs) {
    lines.push(
      `| ${r.evalId} | ${r.benchmark} | ${r.method} | ${r.problems} | ${pct(r.accuracy)} | ${pct(r.ci95.low)} - ${pct(r.ci95.high)} | ` +
        `${num(r.tokens.meanSequential)} | ${num(r.tokens.medianSequential)} | ${num(r.tokens.meanTotal)} | ${num(r.tokens.meanPrompt)} | ` +
        `${num(r.tokens.meanCachedPrompt)} | ${num(r.meanRounds)} | ${r.wallMs.mean} | ${r.errors} | ${r.noAnswer} |`,
    );
  }
  lines.push('');
  lines.push(
    'Sequential tokens: per round, planner tokens + the longest executor (SPRINT); generated tokens (sequential);',
  );
  lines.push(
    'skeleton + longest point + join (SoT); the longest sample (self-consistency). Prefill is reported apart.',
  );
  const approx = input.runs.filter((r) => r.tokenSource !== 'engine');
  if (approx.length) {
    lines.push('');
    lines.push(
      `**Token counts of ${approx.map((r) => r.evalId).join(', ')} are approximations** (characters / chars-per-token; no tokenizer).`,
    );
  }
  lines.push('', '## Rounds and fan-out', '');
  lines.push(
    '| run | rounds per problem (value: count) | prompts per round (value: count) | wall p50 / p90 / max (ms) |',
  );
  lines.push('|---|---|---|---|');
  for (const r of input.runs) {
    lines.push(
      `| ${r.evalId} | ${distText(r.rounds)} | ${distText(r.promptsPerRound)} | ${r.wallMs.median} / ${r.wallMs.p90} / ${r.wallMs.max} |`,
    );
  }
  for (const b of input.buckets ?? []) {
    lines.push('', `## Length buckets: ${b.method} against ${b.baseline}`, '');
    lines.push(
      `Problems binned by ${b.baseline}'s sequential tokens; reduction = 1 - ${b.method} / ${b.baseline} (mean per bin).`,
      '',
    );
    lines.push(
      `| bin | problems | ${b.baseline} mean seq. | ${b.method} mean seq. | reduction | ${b.baseline} acc. | ${b.method} acc. |`,
    );
    lines.push('|---|---|---|---|---|---|---|');
    for (const row of b.rows) {
      lines.push(
        `| ${row.bin} | ${row.problems} | ${num(row.baselineMeanSequential)} | ${num(row.methodMeanSequential)} | ${pct(row.reduction)} | ${pct(row.baselineAccuracy)} | ${pct(row.methodAccuracy)} |`,
      );
    }
  }
  for (const c of input.comparisons ?? []) {
    lines.push('', `## Paired: ${c.b} vs ${c.a}`, '');
    lines.push(`- common problems: ${c.common} (only in ${c.a}: ${c.onlyInA}, only in ${c.b}: ${c.onlyInB})`);
    lines.push(
      `- accuracy: ${c.a} ${pct(c.accuracyA)}, ${c.b} ${pct(c.accuracyB)}, difference ${c.difference >= 0 ? '+' : ''}${(c.difference * 100).toFixed(1)} points`,
    );
    lines.push(
      `- both right ${c.bothRight}, only ${c.a} right ${c.aOnlyRight}, only ${c.b} right ${c.bOnlyRight}, both wrong ${c.bothWrong}`,
    );
    lines.push(
      `- McNemar exact test: p = ${c.pValue.toPrecision(3)}${c.pValue < 0.05 ? ' (significant at 5%)' : ' (not significant at 5%)'}`,
    );
    lines.push(
      `- sequential-token ratio ${c.b}/${c.a} per problem: median ${c.tokenRatio.median}, geometric mean ${c.tokenRatio.geometricMean}, mean ${c.tokenRatio.mean}, p10 ${c.tokenRatio.p10}, p90 ${c.tokenRatio.p90}`,
    );
  }
  if (input.plots?.length) {
    lines.push('', '## Plots', '');
    for (const p of input.plots) lines.push(`![${p.caption}](${p.file})`, '');
  }
  for (const n of input.notes ?? []) lines.push('', n);
  return `${lines.join('\n')}\n`;
}
