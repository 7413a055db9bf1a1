/*
 * What the overhead bench prints: one row per (length scale, executors per round), the pooled
 * dependent-call gaps, the ratios the issue sets targets for, and the profile of the gap.
 */
import { dependentGaps, quantile, type TimedCall } from '../core/session/call-gaps';
import { GAP_SEGMENTS, gapProfile, type GapProfile, type HistoryPoint } from '../core/session/gap-profile';
import type { FigureRow } from './result-shape';
import type { VllmCounters } from './vllm-replay-engine';

const median = (xs: readonly number[]) => quantile(xs, 0.5);
const allGaps = (calls: readonly TimedCall[]) => {
  const g = dependentGaps(calls);
  return [...g.planToExecute, ...g.toPlan];
};

/** The measurements of one (scale, executors) configuration over its repeats. */
export class ConfigurationRun {
  readonly temporalMs: number[] = [];
  readonly inProcessMs: number[] = [];
  readonly streamingMs: number[] = [];
  readonly temporalGaps: number[] = [];
  readonly inProcessGaps: number[] = [];
  /** The same calls through a workflow without sprint's code (bench/floor/). */
  readonly floorMs: number[] = [];
  readonly floorGaps: number[] = [];
  readonly floorProfiles: GapProfile[] = [];
  /** The floor again, started with eager workflow start (its first workflow task in the start reply). */
  readonly floorEagerMs: number[] = [];
  readonly floorEagerGaps: number[] = [];
  /** How many of those starts the server did run eagerly. */
  floorEagerStarted = 0;
  readonly profiles: GapProfile[] = [];
  /** Workflow tasks per round, per session through Temporal. */
  readonly workflowTasksPerRound: number[] = [];
  /** KB of model-call inputs in each session's history (every call carries its whole prompt). */
  readonly inputKb: number[] = [];
  rounds = 0;
  sequentialTokens = 0;
  streamingSequentialTokens = 0;

  /** vLLM counters over the sessions through Temporal (GPU check only). */
  readonly engine = { prefixQueries: 0, prefixHits: 0, ttftSum: 0, ttftCount: 0 };

  constructor(
    readonly scale: number,
    readonly executors: number,
    readonly strategy: string,
  ) {}

  addEngineCounters(before: VllmCounters, after: VllmCounters): void {
    for (const k of Object.keys(this.engine) as (keyof VllmCounters)[])
      this.engine[k] += after[k] - before[k];
  }

  addTemporal(
    wallMs: number,
    calls: TimedCall[],
    { points: history, inputBytes }: { points: HistoryPoint[]; inputBytes: number },
    result: { rounds: number; tokens: { sequential: number } },
  ): void {
    this.temporalMs.push(wallMs);
    this.temporalGaps.push(...allGaps(calls));
    this.profiles.push(gapProfile(calls, history));
    const tasks = history.filter((h) => h.event === 'workflowTaskCompleted').length;
    this.workflowTasksPerRound.push(tasks / result.rounds);
    this.inputKb.push(inputBytes / 1024);
    this.rounds = result.rounds;
    this.sequentialTokens = result.tokens.sequential;
  }

  addInProcess(wallMs: number, calls: TimedCall[]): void {
    this.inProcessMs.push(wallMs);
    this.inProcessGaps.push(...allGaps(calls));
  }

  addFloor(wallMs: number, calls: TimedCall[], { points: history }: { points: HistoryPoint[] }): void {
    this.floorMs.push(wallMs);
    this.floorGaps.push(...allGaps(calls));
    this.floorProfiles.push(gapProfile(calls, history));
  }

  addFloorEager(wallMs: number, calls: TimedCall[], eagerlyStarted: boolean): void {
    this.floorEagerMs.push(wallMs);
    this.floorEagerGaps.push(...allGaps(calls));
    if (eagerlyStarted) this.floorEagerStarted += 1;
  }

  addStreaming(wallMs: number, sequentialTokens: number): void {
    this.streamingMs.push(wallMs);
    this.streamingSequentialTokens = sequentialTokens;
  }

  /** Temporal's cost per round against the in-process loop (median wall-clocks). */
  overheadPerRoundMs(): number {
    return (median(this.temporalMs) - median(this.inProcessMs)) / this.rounds;
  }

  /** The floor's cost per round against the in-process loop (median wall-clocks). */
  floorOverheadPerRoundMs(): number {
    return (median(this.floorMs) - median(this.inProcessMs)) / this.rounds;
  }
}

export class OverheadReport {
  private readonly runs: ConfigurationRun[] = [];

  /** `tokenMs`: the engine double's per-token delay; undefined on a real engine, whose ideal is the in-process loop. */
  constructor(private readonly tokenMs: number | undefined) {}

  configuration(scale: number, executors: number, strategy: string): ConfigurationRun {
    const run = new ConfigurationRun(scale, executors, strategy);
    this.runs.push(run);
    return run;
  }

  render(streaming: boolean): string {
    return [...this.table(streaming), '', ...this.summary(), '', ...this.profileTable()].join('\n');
  }

  /** One row per configuration, as numbers (null where the run did not measure it). */
  rows(streaming: boolean): FigureRow[] {
    const engine = this.runs.some((r) => r.engine.prefixQueries > 0 || r.engine.ttftCount > 0);
    return this.runs.map((r) => {
      const tw = median(r.temporalMs);
      const lw = median(r.inProcessMs);
      const ideal = this.tokenMs === undefined ? lw : r.sequentialTokens * this.tokenMs;
      const sw = median(r.streamingMs);
      return {
        strategy: r.strategy,
        scale: r.scale,
        'exec/round': r.executors,
        rounds: r.rounds,
        'seq tok': r.sequentialTokens,
        'ideal s': ideal / 1000,
        'temporal s': tw / 1000,
        'in-proc s': lw / 1000,
        'temporal/in-proc': tw / lw,
        'temporal/ideal': tw / ideal,
        'gap median ms': median(r.temporalGaps),
        'gap p90 ms': quantile(r.temporalGaps, 0.9),
        'in-proc gap median ms': median(r.inProcessGaps),
        'floor/in-proc': median(r.floorMs) / lw,
        'floor gap median ms': median(r.floorGaps),
        'overhead ms/round': r.overheadPerRoundMs(),
        'floor overhead ms/round': r.floorMs.length ? r.floorOverheadPerRoundMs() : null,
        ...(r.floorEagerMs.length
          ? {
              'floor eager start/in-proc': median(r.floorEagerMs) / lw,
              'floor eager start gap median ms': median(r.floorEagerGaps),
              'eager starts': r.floorEagerStarted,
            }
          : {}),
        'workflow tasks/round': median(r.workflowTasksPerRound),
        'call inputs KB': median(r.inputKb),
        ...(streaming
          ? {
              'streaming s': sw / 1000,
              'stream seq tok': r.streamingSequentialTokens,
              'streaming/its ideal':
                sw / (this.tokenMs === undefined ? lw : r.streamingSequentialTokens * this.tokenMs),
              'streaming saves %': ((tw - sw) / tw) * 100,
            }
          : {}),
        ...(engine
          ? {
              'prefix cache hits %': (100 * r.engine.prefixHits) / Math.max(1, r.engine.prefixQueries),
              'mean TTFT ms': (1000 * r.engine.ttftSum) / Math.max(1, r.engine.ttftCount),
            }
          : {}),
      };
    });
  }

  /** The pooled gaps and what 16 executors per round add over 1, per strategy and scale. */
  totals(): Record<string, number | null> {
    const gaps = this.runs.flatMap((r) => r.temporalGaps);
    const local = this.runs.flatMap((r) => r.inProcessGaps);
    const floor = this.runs.flatMap((r) => r.floorGaps);
    const out: Record<string, number | null> = {
      'gap median ms': median(gaps),
      'gap p90 ms': quantile(gaps, 0.9),
      gaps: gaps.length,
      'in-process gap median ms': median(local),
      'floor gap median ms': floor.length ? median(floor) : null,
      "sprint's share of the median gap ms": floor.length ? median(gaps) - median(floor) : null,
    };
    for (const key of new Set(this.runs.map((r) => `${r.strategy} ${r.scale}`))) {
      const of = this.runs.filter((r) => `${r.strategy} ${r.scale}` === key);
      const one = of.find((r) => r.executors === 1);
      const many = of.find((r) => r.executors === 16);
      if (one && many)
        out[`${of[0]!.strategy}, scale ${of[0]!.scale}: what 16 executors add per round over 1 ms`] =
          many.overheadPerRoundMs() - one.overheadPerRoundMs();
    }
    return out;
  }

  private table(streaming: boolean): string[] {
    const rows = this.rows(streaming);
    const header = Object.keys(rows[0] ?? {});
    const fixed: Record<string, (x: number) => string> = {
      'ideal s': (x) => x.toFixed(2),
      'temporal s': (x) => x.toFixed(2),
      'in-proc s': (x) => x.toFixed(2),
      'streaming s': (x) => x.toFixed(2),
      'temporal/in-proc': (x) => x.toFixed(3),
      'temporal/ideal': (x) => x.toFixed(3),
      'floor/in-proc': (x) => x.toFixed(3),
      'floor eager start/in-proc': (x) => x.toFixed(3),
      'streaming/its ideal': (x) => x.toFixed(2),
      'workflow tasks/round': (x) => x.toFixed(1),
      'streaming saves %': (x) => `${x.toFixed(0)}%`,
      'prefix cache hits %': (x) => `${x.toFixed(0)}%`,
    };
    const cell = (key: string, v: FigureRow[string]) =>
      typeof v !== 'number'
        ? String(v)
        : (
            fixed[key] ??
            ((x: number) =>
              ['scale', 'exec/round', 'rounds', 'seq tok', 'stream seq tok', 'eager starts'].includes(key)
                ? String(x)
                : x.toFixed(0))
          )(v);
    return [
      `| ${header.map((k) => k.replace(/ %$/, '')).join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${header.map((k) => cell(k, r[k] ?? null)).join(' | ')} |`),
    ];
  }

  private summary(): string[] {
    const gaps = this.runs.flatMap((r) => r.temporalGaps);
    const local = this.runs.flatMap((r) => r.inProcessGaps);
    const lines = [
      `dependent-call gap, through Temporal: median ${median(gaps).toFixed(1)} ms, p90 ${quantile(gaps, 0.9).toFixed(1)} ms (${gaps.length} gaps); in-process loop: median ${median(local).toFixed(1)} ms, p90 ${quantile(local, 0.9).toFixed(1)} ms`,
    ];
    const floor = this.runs.flatMap((r) => r.floorGaps);
    if (floor.length)
      lines.push(
        `Temporal's floor (the same calls through a workflow without sprint's code, bench/floor/): gap median ${median(floor).toFixed(1)} ms, p90 ${quantile(floor, 0.9).toFixed(1)} ms; sprint's own share of the median gap: ${(median(gaps) - median(floor)).toFixed(1)} ms`,
      );
    for (const key of new Set(this.runs.map((r) => `${r.strategy} ${r.scale}`))) {
      const of = this.runs.filter((r) => `${r.strategy} ${r.scale}` === key);
      const scale = `${of[0]!.strategy}, scale ${of[0]!.scale}`;
      const ratios = of.map(
        (r) => `${(median(r.temporalMs) / median(r.inProcessMs)).toFixed(3)} (${r.executors} exec)`,
      );
      lines.push(`${scale}: session / plain loop ${ratios.join(', ')}`);
      if (of.every((r) => r.floorMs.length))
        lines.push(
          `${scale}: floor / plain loop ${of.map((r) => `${(median(r.floorMs) / median(r.inProcessMs)).toFixed(3)} (${r.executors} exec)`).join(', ')}`,
        );
      const one = of.find((r) => r.executors === 1);
      const many = of.find((r) => r.executors === 16);
      if (one && many)
        lines.push(
          `${scale}: 16 executors per round add ${(many.overheadPerRoundMs() - one.overheadPerRoundMs()).toFixed(0)} ms per round over 1 (median gap ${median(many.temporalGaps).toFixed(0)} vs ${median(one.temporalGaps).toFixed(0)} ms)`,
        );
    }
    return lines;
  }

  /** Median of each segment of the gap, pooled over every session (and floor run) through Temporal. */
  profileRows(): FigureRow[] {
    const row = (run: string, of: (r: ConfigurationRun) => GapProfile[], edge: keyof GapProfile) => {
      const profiles = this.runs.flatMap(of);
      const totals = profiles.flatMap((p) =>
        p[edge][GAP_SEGMENTS[0]].map((_, i) => GAP_SEGMENTS.reduce((a, s) => a + p[edge][s][i]!, 0)),
      );
      const medians = GAP_SEGMENTS.map((s) => median(profiles.flatMap((p) => p[edge][s])));
      return {
        run,
        edge: edge === 'planToExecute' ? 'plan -> executor' : 'executors -> next plan',
        gaps: totals.length,
        ...Object.fromEntries(GAP_SEGMENTS.map((s, i) => [s, medians[i]!])),
        'sum of medians': medians.reduce((a, b) => a + b, 0),
        'gap median': median(totals),
      };
    };
    return (['planToExecute', 'toPlan'] as const).flatMap((edge) => [
      row('session', (r) => r.profiles, edge),
      ...(this.runs.some((r) => r.floorProfiles.length) ? [row('floor', (r) => r.floorProfiles, edge)] : []),
    ]);
  }

  private profileTable(): string[] {
    const rows = this.profileRows();
    const header = Object.keys(rows[0] ?? {});
    const cell = (k: string, v: FigureRow[string]) =>
      typeof v === 'number' && k !== 'gaps' ? v.toFixed(1) : String(v);
    return [
      'where the gap goes (medians, ms; engine log + workflow history; floor: the same calls without sprint):',
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${header.map((k) => cell(k, r[k] ?? null)).join(' | ')} |`),
    ];
  }
}
