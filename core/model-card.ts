/*
 * The model card (README.md) published with a SPRINT model: base model, training data and its
 * statistics, hyperparameters, evaluation results when present, and how to serve it with the SPRINT
 * loop. Pure and deterministic, so a re-publish with the same inputs changes nothing.
 */

export interface ModelCardInfo {
  baseModel: string;
  /** Dataset name or folder, and its statistics (records, tokens, kept/skipped). */
  dataset?: string;
  datasetStats?: Record<string, unknown>;
  hyperparameters?: Record<string, unknown>;
  training?: {
    steps?: number;
    trainLoss?: number;
    bestEvalLoss?: number;
    launcher?: string;
    runtimeS?: number;
  };
  /** Evaluation results when present: rows of benchmark/method/accuracy/sequential tokens... */
  evalResults?: Record<string, unknown>[];
  license?: string;
}

const fmt = (v: unknown): string => {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) < 1e-3 ? v.toExponential() : String(Number(v.toPrecision(4)));
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
};

export function renderModelCard(repo: string, card: ModelCardInfo): string {
  const name = repo.split('/').pop() ?? repo;
  const lines = [
    '---',
    `base_model: ${card.baseModel}`,
    `license: ${card.license ?? 'apache-2.0'}`,
    'library_name: transformers',
    'pipeline_tag: text-generation',
    'tags:',
    '  - sprint',
    '  - parallel-reasoning',
    '  - reasoning',
    '---',
    '',
    `# ${name}`,
    '',
    `A SPRINT model: \`${card.baseModel}\` fine-tuned to reason in interleaved plan / parallel-execution rounds`,
    '(`<Plan_k>` with `<prompt_k.i>` sub-tasks, `<execution_k.i>` results, `<Final_answer>`), so that a',
    'serving loop can run the independent sub-tasks of each round in parallel.',
    '',
    '## Training data',
    '',
    `- dataset: ${card.dataset ?? 'SPRINT curated records (prompt/completion)'}`,
  ];
  for (const [k, v] of Object.entries(card.datasetStats ?? {})) lines.push(`- ${k}: ${fmt(v)}`);
  lines.push('', '## Training', '', '| setting | value |', '|---|---|');
  for (const [k, v] of Object.entries(card.hyperparameters ?? {})) {
    if (v !== null && v !== undefined) lines.push(`| ${k} | ${fmt(v)} |`);
  }
  const t = card.training ?? {};
  if (t.launcher) lines.push(`| launcher | ${t.launcher} |`);
  if (t.steps !== undefined) lines.push(`| optimizer steps | ${t.steps} |`);
  if (t.trainLoss !== undefined) lines.push(`| train loss | ${fmt(t.trainLoss)} |`);
  if (t.bestEvalLoss !== undefined)
    lines.push(`| best eval loss (kept checkpoint) | ${fmt(t.bestEvalLoss)} |`);
  lines.push(
    '',
    'Loss on the completion tokens only; prompt and completion rendered as plain strings (no chat template).',
  );
  if (card.evalResults?.length) {
    const cols = [...new Set(card.evalResults.flatMap((r) => Object.keys(r)))];
    lines.push('', '## Evaluation', '', `| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`);
    for (const r of card.evalResults)
      lines.push(`| ${cols.map((c) => (r[c] === undefined ? '' : fmt(r[c]))).join(' | ')} |`);
  }
  lines.push(
    '',
    '## Serving with the SPRINT loop',
    '',
    'Serve the model with an OpenAI-compatible engine (prefix caching on), then run sessions through the',
    'sprint platform, which drives the plan / parallel-execute rounds on Temporal:',
    '',
    '```bash',
    `vllm serve ${repo} --served-model-name sprint --enable-prefix-caching`,
    'npx sprint dev                      # Temporal + workers',
    'npx sprint ask "What is 2^10 - 1?" --planner http://127.0.0.1:8000/v1',
    '```',
    '',
    'The planner continues one assistant turn that starts with `<think>` and stops at `</Plan_` or',
    '`</Final_answer>`; each `<prompt_k.i>` goes to its own executor call that ends in the opened',
    '`<execution_k.i>` tag and stops at `</execution_`.',
    '',
  );
  return lines.join('\n');
}
