/*
 * Every bench that prints figures also writes them as JSON, so that docs/benchmarks.md is rendered
 * from what a run measured (scripts/render-benchmarks.ts) instead of numbers pasted by hand.
 *
 *   const record = startBenchRecord('serve-load', { sessions: 64, tokenMs: 5 });
 *   ... run ...
 *   record.finish({ 'latency p50 ms': 812, rows: [{ ... }, { ... }] });
 *
 * The record samples the machine's load while the bench runs: on a shared machine the figures only
 * mean something next to how busy it was. bench/trainer/results.py writes the same shape.
 * BENCH_RESULTS_DIR names another folder (tests and trial runs must not overwrite committed results).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchResult, Figures, LoadSummary, Machine, Settings } from './result-shape';

const LOAD_SAMPLE_MS = 5000;
export const DEFAULT_RESULTS_DIR = path.join(__dirname, 'results');

/** The folder results go to: BENCH_RESULTS_DIR when set, else bench/results/. */
export function resultsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_RESULTS_DIR ? path.resolve(env.BENCH_RESULTS_DIR) : DEFAULT_RESULTS_DIR;
}

function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    runtime: `node ${process.version}`,
  };
}

/** The commit the bench ran from, with "+dirty" when tracked files (results aside) had changes; null outside git. */
function gitCommit(): string | null {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const commit = git('rev-parse', 'HEAD').trim();
    // Result files written by an earlier bench of the same batch do not make the code dirty.
    const changed = git('status', '--porcelain', '--untracked-files=no', '--', ':(top,exclude)bench/results');
    return changed.trim() ? `${commit}+dirty` : commit;
  } catch {
    return null;
  }
}

/** Busy and total CPU time of all cores so far (ms), from which a share of busy time is taken. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Samples the 1-minute load average while the bench runs, and the machine's busy CPU share. */
class LoadSampler {
  private readonly before = os.loadavg();
  private readonly times = cpuTimes();
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.samples.push(os.loadavg()[0]!), LOAD_SAMPLE_MS);
    // A bench that fails must still exit: the sampler never holds the process open.
    this.timer.unref();
  }

  stop(): LoadSummary {
    clearInterval(this.timer);
    const after = os.loadavg();
    const times = cpuTimes();
    const samples = [this.before[0]!, ...this.samples, after[0]!];
    const elapsed = times.total - this.times.total;
    return {
      loadAvgBefore: this.before.map(round2),
      loadAvgAfter: after.map(round2),
      loadAvg1mMean: round2(samples.reduce((a, b) => a + b, 0) / samples.length),
      loadAvg1mMax: round2(Math.max(...samples)),
      samples: samples.length,
      cpuBusyShare: elapsed > 0 ? round2((times.busy - this.times.busy) / elapsed) : null,
    };
  }
}

export interface BenchRecord {
  /** Writes the result file and returns its path; the bench's own output is unchanged. */
  finish(figures: Figures): string;
}

/**
 * Starts recording a run of `bench` with the knobs it uses. `variant` names one of several kinds of
 * run of the same bench (a file each: bench/results/<bench>.<variant>.json).
 */
export function startBenchRecord(bench: string, settings: Settings, variant?: string): BenchRecord {
  const startedAt = new Date();
  // Read at the start: the tree the bench runs from, not whatever it became by the end.
  const commit = gitCommit();
  const t0 = process.hrtime.bigint();
  const sampler = new LoadSampler();
  return {
    finish(figures: Figures): string {
      const result: BenchResult = {
        bench,
        ...(variant ? { variant } : {}),
        date: startedAt.toISOString(),
        durationS: round2(Number(process.hrtime.bigint() - t0) / 1e9),
        commit,
        machine: machine(),
        load: sampler.stop(),
        settings,
        figures,
      };
      const dir = resultsDir();
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${variant ? `${bench}.${variant}` : bench}.json`);
      fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      console.error(`results written to ${path.relative(process.cwd(), file) || file}`);
      return file;
    },
  };
}
