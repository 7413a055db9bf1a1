/*
 * The targets of issue 28, checked against the rows of one overhead bench run (bench/overhead-report.ts).
 * Every target is relative to Temporal's floor or the plain loop measured in the same run, so it
 * holds or fails the same way on a quiet or a busy machine, a small or a large one:
 *   - the median dependent-call gap of each configuration: at most the floor's + 10 ms;
 *   - what 16 executors per round add over 1, per round: at most what they add to the floor + 10 ms;
 *   - short rounds (scale below 2): wall-clock / plain loop at most the floor's ratio + 0.02;
 *   - paper-scale rounds (scale 2 and above): wall-clock / plain loop at most 1.03.
 */
import type { FigureRow } from './result-shape';

export const TARGETS = {
  gapAboveFloorMs: 10,
  sixteenAboveFloorMs: 10,
  shortRatioAboveFloor: 0.02,
  paperRatio: 1.03,
  /** Scales at or above this are "paper scale" (2.5 is about the paper's MATH500 rounds). */
  paperScale: 2,
} as const;

/** One checked target: what was measured, its limit (from the same run), and whether it was met. */
export interface TargetCheck {
  target: string;
  strategy: string;
  scale: number;
  'exec/round': number | null;
  measured: number;
  limit: number;
  met: boolean;
}

const num = (row: FigureRow, key: string): number => {
  const v = row[key];
  if (typeof v !== 'number') throw new Error(`overhead row without a number for "${key}"`);
  return v;
};

function check(
  target: string,
  row: FigureRow,
  executors: number | null,
  measured: number,
  limit: number,
): TargetCheck {
  return {
    target,
    strategy: String(row.strategy),
    scale: num(row, 'scale'),
    'exec/round': executors,
    measured,
    limit,
    met: measured <= limit,
  };
}

/** The checks a run's rows allow (a row without its floor, or a scale without 1 and 16 executors, is skipped). */
export function checkTargets(rows: readonly FigureRow[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const r of rows) {
    const exec = num(r, 'exec/round');
    const floorGap = r['floor gap median ms'];
    if (typeof floorGap === 'number' && Number.isFinite(floorGap))
      out.push(
        check(
          'median gap ms <= floor + 10',
          r,
          exec,
          num(r, 'gap median ms'),
          floorGap + TARGETS.gapAboveFloorMs,
        ),
      );
    const ratio = num(r, 'temporal/in-proc');
    if (num(r, 'scale') >= TARGETS.paperScale)
      out.push(check('paper-scale wall / plain loop <= 1.03', r, exec, ratio, TARGETS.paperRatio));
    else {
      const floorRatio = r['floor/in-proc'];
      if (typeof floorRatio === 'number' && Number.isFinite(floorRatio))
        out.push(
          check(
            'short-round wall / plain loop <= floor + 0.02',
            r,
            exec,
            ratio,
            floorRatio + TARGETS.shortRatioAboveFloor,
          ),
        );
    }
  }
  const groups = new Map<string, FigureRow[]>();
  for (const r of rows) {
    const key = `${String(r.strategy)} ${num(r, 'scale')}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const of of groups.values()) {
    const one = of.find((r) => r['exec/round'] === 1);
    const many = of.find((r) => r['exec/round'] === 16);
    const floorOf = (r: FigureRow) => r['floor overhead ms/round'];
    if (!one || !many) continue;
    const f1 = floorOf(one);
    const f16 = floorOf(many);
    if (typeof f1 !== 'number' || typeof f16 !== 'number') continue;
    out.push(
      check(
        '16 exec add per round ms <= floor + 10',
        many,
        null,
        num(many, 'overhead ms/round') - num(one, 'overhead ms/round'),
        f16 - f1 + TARGETS.sixteenAboveFloorMs,
      ),
    );
  }
  return out;
}
