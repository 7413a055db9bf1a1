/*
 * Offline extractor vs the LLM extraction path, on the same generated Countdown traces.
 *
 * No hosted model can be reached here, so the LLM path runs against the loopback engine double,
 * scripted to answer the way a faithful extractor would: the generator's own account of each trace
 * (paragraph = component, first sentence = plan, the rest = execution; dependencies as generated).
 * Both backends then go through the same packing and filter (curateOne), and this prints how far
 * the offline heuristics agree with that reference. Run: npx tsx bench/curation-extractors.ts [N] [seed]
 * Writes bench/results/curation-extractors.json (bench/results.ts).
 */
import { curateOne, type CurationSettings } from '../activities/curation';
import { DAG_SYSTEM } from '../io/curation/llm-extractor';
import { ModelClient } from '../io/model-client';
import { parseConfig } from '../config';
import { segmentTrace } from '../core/curation/lines';
import { generateCountdownTraces, type CountdownTrace } from '../core/traces/countdown';
import { LoopbackModelServer } from '../test/helpers/loopback-model-server';
import { startBenchRecord } from './results';

/** The reference extraction of a generated trace, in the LLM reply shapes. */
function reference(t: CountdownTrace): { steps: string; dag: string } {
  const lines = segmentTrace(t.trace);
  const components = t.structure.map((p, i) => {
    const own = lines.filter((l) => l.paragraph === i);
    const first = own[0]!.n;
    const last = own[own.length - 1]!.n;
    return {
      id: i + 1,
      description: p.role,
      planLines: [first, first],
      prompt: last > first ? `${p.role}: ${own[0]!.text}` : null,
      executionLines: last > first ? [first + 1, last] : null,
    };
  });
  const dag: Record<string, number[]> = {};
  t.structure.forEach((p, i) => (dag[String(i + 1)] = p.dependsOn.map((d) => d + 1)));
  return { steps: JSON.stringify({ components }), dag: JSON.stringify({ dag }) };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 300);
  const seed = Number(process.argv[3] ?? 7);
  const record = startBenchRecord('curation-extractors', { traces: n, seed });
  const traces = generateCountdownTraces(n, seed);
  const byQuestion = new Map(traces.map((t) => [t.question, reference(t)]));
  const engine = await new LoopbackModelServer().start();
  engine.setScript((req) => {
    const messages = req.body.messages as { role: string; content: string }[];
    const user = messages[1]!.content;
    if (messages[0]!.content === DAG_SYSTEM) {
      // The DAG request lists the steps, not the question: find the trace by its first plan line.
      for (const t of traces)
        if (user.includes(segmentTrace(t.trace)[0]!.text)) return { text: byQuestion.get(t.question)!.dag };
      return { status: 400, text: 'unknown trace' };
    }
    const q = /^Question:\n([\s\S]*?)\n\nTrace/.exec(user)?.[1] ?? '';
    const ref = byQuestion.get(q);
    return ref ? { text: ref.steps } : { status: 400, text: 'unknown question' };
  });
  const config = parseConfig({}, 'bench');
  const base = { ...config.curation } as CurationSettings;
  const client = new ModelClient({
    baseUrl: engine.baseUrl,
    model: 'reference',
    engine: 'openai',
    timeoutMs: 30_000,
  });
  const deps = { stepsClient: () => client, dagClient: () => client };

  let sameBoundaries = 0;
  let sameStages = 0;
  let sameKept = 0;
  let edgeTp = 0;
  let edgeOff = 0;
  let edgeRef = 0;
  let ratioDiff = 0;
  let keptOffline = 0;
  let keptLlm = 0;
  const started = Date.now();
  for (const t of traces) {
    const off = await curateOne(t, { ...base, extractor: 'offline' }, {});
    const llm = await curateOne(t, { ...base, extractor: 'llm' }, deps);
    if (!off.extraction || !llm.extraction) throw new Error(`trace ${t.id}: ${off.detail ?? llm.detail}`);
    const starts = (cs: { planLines: [number, number] | null }[]) =>
      cs.map((c) => c.planLines?.[0] ?? '-').join(',');
    if (starts(off.extraction.components) === starts(llm.extraction.components)) {
      sameBoundaries += 1;
      const edges = (dag: Record<string, number[]>) =>
        new Set(Object.entries(dag).flatMap(([c, ps]) => ps.map((p) => `${p}>${c}`)));
      const a = edges(off.extraction.dag);
      const b = edges(llm.extraction.dag);
      for (const e of a) if (b.has(e)) edgeTp += 1;
      edgeOff += a.size;
      edgeRef += b.size;
    }
    if (JSON.stringify(off.stageComponents) === JSON.stringify(llm.stageComponents)) sameStages += 1;
    if ((off.status === 'kept') === (llm.status === 'kept')) sameKept += 1;
    if (off.status === 'kept') keptOffline += 1;
    if (llm.status === 'kept') keptLlm += 1;
    ratioDiff += Math.abs(off.ratio - llm.ratio);
  }
  const pct = (x: number, of = n) => `${((100 * x) / of).toFixed(1)}%`;
  console.log(`offline extractor vs LLM path (reference replies), ${n} Countdown traces, seed ${seed}`);
  console.log(`| measure | value |\n|---|---|`);
  console.log(`| same component boundaries | ${pct(sameBoundaries)} |`);
  console.log(
    `| DAG edge precision / recall (traces with same boundaries) | ${pct(edgeTp, edgeOff)} / ${pct(edgeTp, edgeRef)} |`,
  );
  console.log(`| identical stages | ${pct(sameStages)} |`);
  console.log(`| same keep decision | ${pct(sameKept)} |`);
  console.log(`| kept: offline / LLM path | ${pct(keptOffline)} / ${pct(keptLlm)} |`);
  console.log(`| mean abs ratio difference | ${(ratioDiff / n).toFixed(3)} |`);
  console.log(`| LLM-path model calls | ${engine.requests.length} |`);
  console.log(`(took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const share = (x: number, of = n) => (of ? (100 * x) / of : null);
  record.finish({
    'same component boundaries %': share(sameBoundaries),
    'DAG edge precision %': share(edgeTp, edgeOff),
    'DAG edge recall %': share(edgeTp, edgeRef),
    'identical stages %': share(sameStages),
    'same keep decision %': share(sameKept),
    'kept offline %': share(keptOffline),
    'kept LLM path %': share(keptLlm),
    'mean abs ratio difference': ratioDiff / n,
    'LLM-path model calls': engine.requests.length,
    'took s': (Date.now() - started) / 1000,
  });
  await engine.stop();
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
