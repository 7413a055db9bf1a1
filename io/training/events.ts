import type { TrainingProgress } from './types';

/** One JSON line of the trainer's stdout (infra/sft/train.py). */
export type TrainerEvent =
  | {
      event: 'start';
      step: number;
      total: number;
      resumed_from: string | null;
      model: string;
      train?: Record<string, unknown>;
      eval?: Record<string, unknown> | null;
      pid?: number;
      /** The recipe the run started from and what it decided (shown, never swapped silently). */
      profile?: string;
      optim?: string;
      attn_implementation?: string;
      padding_free?: boolean;
      report_to?: string[];
      /** TensorBoard log folder in the run folder, when TensorBoard is a reporter. */
      logging_dir?: string | null;
    }
  | {
      event: 'log';
      step: number;
      total: number;
      loss: number;
      eval_loss: number | null;
      lr: number;
      epoch?: number;
      tokens_per_s: number | null;
      eta_s: number | null;
      /** Cumulative training tokens and seconds since this launch began. */
      tokens?: number;
      elapsed_s?: number;
    }
  | { event: 'eval'; step: number; total: number; eval_loss: number }
  | { event: 'checkpoint'; step: number; path: string }
  | {
      event: 'done';
      step: number;
      total: number;
      model_dir: string;
      train_loss?: number;
      best_eval_loss: number | null;
      best_checkpoint: string | null;
      runtime_s?: number;
      tokens_per_s?: number;
      peak_gpu_mem_gb?: number | null;
    }
  | {
      event: 'error';
      message: string;
      type?: string;
      /** false: the trainer's input cannot work (bad data, arguments); relaunching cannot fix it. */
      retryable?: boolean;
    };

const kinds = new Set(['start', 'log', 'eval', 'checkpoint', 'done', 'error']);

/**
 * Reads one output line: a trainer event, or undefined for anything else (library logs, a line
 * cut short). Kubernetes/Docker log lines may carry an RFC 3339 timestamp prefix; it is skipped.
 */
export function parseTrainerLine(line: string): TrainerEvent | undefined {
  const brace = line.indexOf('{"event"');
  if (brace < 0) return undefined;
  try {
    const obj = JSON.parse(line.slice(brace)) as { event?: unknown };
    if (typeof obj.event !== 'string' || !kinds.has(obj.event)) return undefined;
    return obj as TrainerEvent;
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Folds an event into the run's progress (pure). */
export function applyEvent(p: TrainingProgress, e: TrainerEvent): TrainingProgress {
  switch (e.event) {
    case 'start':
      return { ...p, state: 'running', step: e.step, total: e.total };
    case 'log':
      return {
        ...p,
        state: 'running',
        step: e.step,
        total: e.total,
        loss: num(e.loss),
        evalLoss: num(e.eval_loss) ?? p.evalLoss,
        lr: num(e.lr),
        epoch: num(e.epoch),
        tokensPerS: num(e.tokens_per_s) ?? p.tokensPerS,
        etaS: num(e.eta_s),
      };
    case 'eval': {
      const evalLoss = num(e.eval_loss);
      const best = evalLoss === undefined ? p.bestEvalLoss : Math.min(evalLoss, p.bestEvalLoss ?? Infinity);
      return { ...p, step: Math.max(p.step, e.step), evalLoss, bestEvalLoss: best };
    }
    case 'checkpoint':
      return { ...p, lastCheckpoint: e.path };
    case 'done':
      return {
        ...p,
        state: 'succeeded',
        step: e.step,
        total: e.total,
        bestEvalLoss: num(e.best_eval_loss) ?? p.bestEvalLoss,
        etaS: 0,
      };
    case 'error':
      return { ...p, message: e.message };
  }
}

/** Short human summary of progress, e.g. for the CLI and activity summaries. */
export function describeProgress(p: TrainingProgress): string {
  const parts = [`${p.state}`, `step ${p.step}/${p.total || '?'}`];
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.evalLoss !== undefined) parts.push(`eval ${p.evalLoss.toFixed(4)}`);
  if (p.tokensPerS !== undefined) parts.push(`${Math.round(p.tokensPerS)} tok/s`);
  if (p.etaS !== undefined && p.state === 'running') parts.push(`ETA ${formatSeconds(p.etaS)}`);
  if (p.restarts) parts.push(`${p.restarts} restart(s)`);
  return parts.join(', ');
}

export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
