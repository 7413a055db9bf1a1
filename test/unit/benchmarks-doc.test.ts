import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import type { BenchResult } from '../../bench/result-shape';
import { startBenchRecord } from '../../bench/results';
import { parseResultFile, readResultFiles } from '../../scripts/benchmarks-doc/read-results';
import {
  MISSING,
  formatFigure,
  isRatioName,
  renderBenchmarksDoc,
  renderRows,
  type BenchIntro,
} from '../../scripts/benchmarks-doc/render';
import {
  DOC_FILE,
  RESULTS_DIR,
  ROOT,
  renderCommittedResults,
  renderDocSections,
} from '../../scripts/render-benchmarks';
import { DOC_SECTIONS, fillSection } from '../../scripts/benchmarks-doc/doc-sections';

const fixtureFile = path.join(__dirname, '..', 'fixtures', 'bench', 'trainer.json');
const fixture = (): BenchResult => parseResultFile('trainer.json', fs.readFileSync(fixtureFile, 'utf8'));
const intro: BenchIntro = { bench: 'trainer', title: 'Trainer speed', body: 'What it measures.' };

describe('docs/benchmarks.md', () => {
  it('is what the committed bench/results/*.json render to', () => {
    const rendered = renderCommittedResults();
    const committed = fs.existsSync(DOC_FILE) ? fs.readFileSync(DOC_FILE, 'utf8') : '';
    if (committed !== rendered)
      throw new Error(
        'docs/benchmarks.md is not what bench/results/*.json render to: run npm run docs:benchmarks',
      );
  });

  it('the bench sections of other pages (docs/cluster.md faults) are what the results render to', () => {
    for (const { file, text } of renderDocSections())
      if (fs.readFileSync(file, 'utf8') !== text)
        throw new Error(
          `${path.relative(ROOT, file)} is not what bench/results/*.json render to: run npm run docs:benchmarks`,
        );
    const section = DOC_SECTIONS[0]!;
    expect(fillSection('a\n<!-- faults:begin -->\nold\n<!-- faults:end -->\nb', 'new', section)).toBe(
      'a\n<!-- faults:begin -->\n\nnew\n\n<!-- faults:end -->\nb',
    );
    expect(() => fillSection('no markers', 'new', section)).toThrow(/lacks the markers/);
  });

  it('renders every committed result file, each with the machine, date and load of its run', () => {
    const files = readResultFiles(RESULTS_DIR, ROOT);
    expect(files.length).toBeGreaterThan(0);
    const doc = renderCommittedResults();
    for (const { result } of files) {
      expect(doc).toContain(`Run ${result.date.slice(0, 10)}`);
      expect(doc).toContain(
        `mean ${result.load.loadAvg1mMean.toFixed(2)}, max ${result.load.loadAvg1mMax.toFixed(2)}`,
      );
    }
  });
});

describe('formatFigure', () => {
  it('shows ratios with 3 decimals, and tells them from per-unit names', () => {
    expect(formatFigure('temporal/in-proc', 1.08712)).toBe('1.087');
    expect(formatFigure('ratio project/plain tokens/s', 1.04356)).toBe('1.044');
    expect(formatFigure('latency/engine p50', 2)).toBe('2.000');
    expect(formatFigure('ratio to node -e 0', 1.5)).toBe('1.500');
    expect(isRatioName('tokens/s')).toBe(false);
    expect(isRatioName('overhead ms/round')).toBe(false);
    expect(formatFigure('tokens/s', 3232.4)).toBe('3232');
    expect(formatFigure('overhead ms/round', 105.4)).toBe('105');
    expect(formatFigure('exec/round', 16)).toBe('16');
  });

  it('shows units by their suffix', () => {
    expect(formatFigure('same keep decision %', 97.3333)).toBe('97.3%');
    expect(formatFigure('gap median ms', 43.21)).toBe('43.2');
    expect(formatFigure('gap median ms', 143.6)).toBe('144');
    expect(formatFigure('median s', 0.0456)).toBe('0.046');
    expect(formatFigure('wall s', 3.456)).toBe('3.46');
    expect(formatFigure('peak rss GiB', 1.234)).toBe('1.23');
    expect(formatFigure('last loss', 7.8912)).toBe('7.89');
    expect(formatFigure('engine calls', 1024)).toBe('1024');
  });

  it('shows a figure the run did not measure as a dash', () => {
    expect(formatFigure('gap median ms', null)).toBe(MISSING);
    expect(formatFigure('gap median ms', undefined)).toBe(MISSING);
    expect(formatFigure('temporal/in-proc', NaN)).toBe(MISSING);
  });

  it('never breaks a table row, whatever a string figure holds', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const cell = formatFigure('label', s);
        expect(cell).not.toMatch(/\n/);
        expect(cell).not.toMatch(/(^|[^\\])\|/);
      }),
    );
  });
});

describe('renderRows', () => {
  it('has a column for every figure of any row and a dash where a row lacks it', () => {
    const lines = renderRows([
      { side: 'project', 'tokens/s': 3000, 'peak rss GiB': 1.5 },
      { side: 'plain', 'tokens/s': 2900, 'last loss': 7.5 },
    ]);
    expect(lines).toEqual([
      '| side | tokens/s | peak rss GiB | last loss |',
      '| --- | --- | --- | --- |',
      `| project | 3000 | 1.50 | ${MISSING} |`,
      `| plain | 2900 | ${MISSING} | 7.5 |`,
    ]);
  });
});

describe('renderBenchmarksDoc', () => {
  it('states the machine, date, commit, load and settings of a run, then its figures', () => {
    const doc = renderBenchmarksDoc('# Benchmarks', [intro], [{ file: 'trainer.json', result: fixture() }]);
    expect(doc).toContain('## Trainer speed\n\nWhat it measures.\n\n### Latest run\n');
    expect(doc).toContain(
      'Run 2026-12-01 10:00 UTC, commit 0123456789ab, 95.40 s, on 2 × Fixture CPU, 7.8 GiB',
    );
    expect(doc).toContain('mean 2.10, max 2.60 over 20 samples; all cores 97% busy');
    expect(doc).toContain('Settings: shape tiny; seq 512; bf16 no; threads 1.');
    expect(doc).toContain('| ratio project/plain tokens/s | 1.044 |');
    expect(doc).toContain(`| plain PyTorch loop | 3097 | 1.10 | ${MISSING} |`);
    expect(doc.endsWith('\n')).toBe(true);
  });

  it('renders several runs of one bench, the default first, each with its own context', () => {
    const gpu: BenchResult = {
      ...fixture(),
      variant: 'gpu-7b',
      date: '2026-12-02T08:30:00.000Z',
      load: { ...fixture().load, loadAvg1mMean: 0.4, loadAvg1mMax: 0.9 },
      figures: { 'ratio project/plain tokens/s': 0.91 },
    };
    const doc = renderBenchmarksDoc(
      '# Benchmarks',
      [intro],
      [
        { file: 'trainer.gpu-7b.json', result: gpu },
        { file: 'trainer.json', result: fixture() },
      ],
    );
    const defaultAt = doc.indexOf('### Default run');
    const gpuAt = doc.indexOf('### Variant: gpu-7b');
    expect(defaultAt).toBeGreaterThan(0);
    expect(gpuAt).toBeGreaterThan(defaultAt);
    expect(doc.slice(defaultAt, gpuAt)).toContain('Run 2026-12-01 10:00 UTC');
    expect(doc.slice(gpuAt)).toContain('Run 2026-12-02 08:30 UTC');
    expect(doc.slice(gpuAt)).toContain('mean 0.40, max 0.90');
    expect(doc.slice(gpuAt)).toContain('| ratio project/plain tokens/s | 0.910 |');
  });

  it('says so for a bench with no result yet', () => {
    expect(renderBenchmarksDoc('# B', [intro], [])).toContain('_No result committed yet._');
  });

  it('refuses a result whose bench has no intro, naming the file', () => {
    expect(() =>
      renderBenchmarksDoc(
        '# B',
        [intro],
        [{ file: 'bench/results/x.json', result: { ...fixture(), bench: 'x' } }],
      ),
    ).toThrow('bench/results/x.json: bench "x" has no intro');
  });
});

describe('reading result files', () => {
  it('names the file and the field of a result that does not fit the shape', () => {
    const bad = JSON.parse(fs.readFileSync(fixtureFile, 'utf8')) as { load: Record<string, unknown> };
    delete bad.load.samples;
    expect(() => parseResultFile('bench/results/trainer.json', JSON.stringify(bad))).toThrow(
      /^bench\/results\/trainer\.json: load\.samples: /,
    );
    expect(() => parseResultFile('bench/results/t.json', '{')).toThrow(/^bench\/results\/t\.json: not JSON/);
  });
});

describe('the result writers', () => {
  let dir: string;
  const committed = () => fs.readdirSync(RESULTS_DIR).sort();
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('bench/results.ts writes the shape the renderer reads, to BENCH_RESULTS_DIR', () => {
    const before = committed();
    const saved = process.env.BENCH_RESULTS_DIR;
    process.env.BENCH_RESULTS_DIR = dir;
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const file = startBenchRecord('probe', { repeats: 2 }, 'quick').finish({
        'gap median ms': NaN,
        rows: [{ 'exec/round': 1, 'temporal/in-proc': 1.1 }],
      });
      expect(file).toBe(path.join(dir, 'probe.quick.json'));
      const result = parseResultFile(file, fs.readFileSync(file, 'utf8'));
      expect(result).toMatchObject({ bench: 'probe', variant: 'quick', settings: { repeats: 2 } });
      expect(result.figures['gap median ms']).toBeNull();
      expect(result.machine.cpus).toBe(os.cpus().length);
      expect(result.load.samples).toBeGreaterThanOrEqual(2);
    } finally {
      quiet.mockRestore();
      if (saved === undefined) delete process.env.BENCH_RESULTS_DIR;
      else process.env.BENCH_RESULTS_DIR = saved;
    }
    expect(committed()).toEqual(before);
  });

  it('bench/trainer/results.py writes the same shape, NaN as null', () => {
    const script = [
      'import sys',
      "sys.path.insert(0, 'bench/trainer')",
      'from results import BenchRecord',
      "BenchRecord('probe', {'shape': 'tiny'}).finish({'ratio': float('nan'), 'sides': [{'tokens/s': 3.5}]})",
    ].join('\n');
    execFileSync(path.join(ROOT, '.venv', 'bin', 'python'), ['-c', script], {
      cwd: ROOT,
      env: { ...process.env, BENCH_RESULTS_DIR: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const file = path.join(dir, 'probe.json');
    const result = parseResultFile(file, fs.readFileSync(file, 'utf8'));
    expect(result.figures).toEqual({ ratio: null, sides: [{ 'tokens/s': 3.5 }] });
    expect(result.machine.runtime).toMatch(/^python 3\./);
  });
});
