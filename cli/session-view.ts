import type { RoundRecord, SessionProgress, SessionText } from '../core/session-types';

/*
 * Text rendering of a session for `sprint ask` (live) and `sprint show`: one block per round with
 * the plan summary, its prompts and the executor lengths.
 */

function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

export function formatRound(r: RoundRecord<SessionText>): string {
  const planCall = r.calls.find((c) => c.kind === 'plan' && !c.discarded);
  const lines: string[] = [];
  const planTokens = planCall?.usage.completionTokens ?? 0;
  const secs = ((r.endedAt - r.startedAt) / 1000).toFixed(1);
  if (r.final !== undefined) {
    lines.push(
      `round ${r.phase}: final answer (${planTokens} tokens${r.forcedFinal ? ', forced' : ''}, ${secs}s)`,
    );
  } else {
    lines.push(`round ${r.phase}: plan ${planTokens} tokens, ${r.plan.prompts.length} prompt(s), ${secs}s`);
    if (r.plan.text) lines.push(`  plan: ${oneLine(r.plan.text.replace(/<\/?prompt_[\d.]+>/g, ''))}`);
    r.plan.prompts.forEach((p, i) => {
      const exec = r.calls.find((c) => c.kind === 'execute' && c.k === p.index && !c.discarded);
      const len = exec ? `${exec.usage.completionTokens} tokens` : 'pending';
      lines.push(`  ${r.phase}.${p.index} [${len}] ${oneLine(p.text, 80)}`);
      void i;
    });
  }
  for (const p of r.problems) lines.push(`  ! ${p}`);
  return lines.join('\n');
}

export function formatProgress(p: SessionProgress, opts: { header?: boolean } = {}): string {
  const out: string[] = [];
  if (opts.header !== false) {
    out.push(`session ${p.workflowId} (${p.status}, ${p.rounds.length} round(s), run ${p.runs})`);
    out.push(`question: ${oneLine(p.question, 200)}`);
    const r = p.routing.planner;
    out.push(
      `planner ${r.pool}/${r.replica ?? 'shared'} on ${r.queue}${r.failedOver ? ' (failed over)' : ''}`,
    );
  }
  for (const r of p.rounds) out.push(formatRound(r));
  if (p.status === 'running' && p.activity !== 'idle') out.push(`round ${p.phase}: ${p.activity}...`);
  if (p.final !== null) out.push(`answer: ${p.final}`);
  out.push(
    `tokens: sequential ${p.tokens.sequential} (streaming ${p.tokens.sequentialStreaming}), total ${p.tokens.total}, ` +
      `prompt ${p.tokens.prompt} (cached ${p.tokens.cachedPrompt})`,
  );
  for (const pr of p.problems) out.push(`! ${pr}`);
  return out.join('\n');
}
