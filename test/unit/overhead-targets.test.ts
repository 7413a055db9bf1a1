import { checkTargets } from '../../bench/overhead-targets';
import type { FigureRow } from '../../bench/result-shape';

/** A row of the overhead bench with the figures the targets read. */
function row(over: Partial<Record<string, number | string | null>>): FigureRow {
  return {
    strategy: 'shared-prefix',
    scale: 1,
    'exec/round': 1,
    'gap median ms': 30,
    'floor gap median ms': 25,
    'temporal/in-proc': 1.05,
    'floor/in-proc': 1.04,
    'overhead ms/round': 40,
    'floor overhead ms/round': 35,
    ...over,
  };
}

const find = (checks: ReturnType<typeof checkTargets>, target: RegExp, exec: number | null) =>
  checks.find((c) => target.test(c.target) && c['exec/round'] === exec);

describe('checkTargets (bench/overhead-targets)', () => {
  it('takes every limit from the floor and plain loop of the same rows', () => {
    const checks = checkTargets([
      row({}),
      row({ 'exec/round': 16, 'gap median ms': 70, 'floor gap median ms': 55, 'overhead ms/round': 75 }),
    ]);
    expect(find(checks, /median gap/, 1)).toMatchObject({ measured: 30, limit: 35, met: true });
    expect(find(checks, /median gap/, 16)).toMatchObject({ measured: 70, limit: 65, met: false });
    expect(find(checks, /short-round/, 1)).toMatchObject({ measured: 1.05, met: true });
    expect(find(checks, /short-round/, 1)!.limit).toBeCloseTo(1.06);
    // 16 executors add 35 ms a round to the session, 0 to the floor: limit 10.
    expect(find(checks, /16 exec add/, null)).toMatchObject({ measured: 35, limit: 10, met: false });
  });

  it('holds paper-scale rows to 1.03x the plain loop, whatever the floor did', () => {
    const checks = checkTargets([
      row({ scale: 2.5, 'temporal/in-proc': 1.029, 'floor/in-proc': 1.2 }),
      row({ scale: 2.5, 'exec/round': 4, 'temporal/in-proc': 1.031 }),
    ]);
    expect(find(checks, /paper-scale/, 1)).toMatchObject({ limit: 1.03, met: true });
    expect(find(checks, /paper-scale/, 4)).toMatchObject({ limit: 1.03, met: false });
    expect(checks.some((c) => /short-round/.test(c.target))).toBe(false);
  });

  it('skips what a run did not measure: no floor, or no 1-and-16 pair', () => {
    const checks = checkTargets([row({ 'floor gap median ms': null, 'floor/in-proc': null })]);
    expect(checks).toEqual([]);
    expect(() => checkTargets([row({ 'gap median ms': 'n/a' })])).toThrow(/gap median ms/);
  });
});
