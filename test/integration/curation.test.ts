import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { SprintConfig } from '../../config';
import { ArtifactStore, type ArtifactRef } from '../../io/artifacts';
import type { CurationSettings, TraceResultDoc } from '../../activities/curation';
import { parseTrajectory } from '../../core/format';
import { generateCountdownTraces } from '../../core/traces/countdown';
import { curationWorkflow } from '../../workflows';
import type { CurationInput } from '../../workflows/curation';
import { writeConfigFile } from '../helpers/config';
import { startStack, type TestStack } from '../helpers/stack';
import { spawnWorkerProcess, startWorkers, waitFor, waitForOutput } from '../helpers/workers';
import { controlQueue, curationQueue } from '../../config/queues';

function settingsOf(config: SprintConfig, over: Partial<CurationSettings> = {}): CurationSettings {
  return { ...config.curation, ...over };
}

function readJsonl(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('curation workflow (offline extractor) on the real dev server', () => {
  let stack: TestStack | undefined;
  let config: SprintConfig;
  let client: Client;

  beforeAll(async () => {
    stack = await startStack({
      config: {
        // Short heartbeat timeout: the killed worker's in-flight traces are retried quickly.
        curation: { heartbeatTimeoutMs: 2000, concurrency: 8, chunkSize: 100, continueAsNewAfter: 300 },
        workers: { curation: { maxConcurrentActivityTaskExecutions: 8 } },
      },
      workers: ['control'],
    });
    ({ config, client } = stack);
  });

  afterAll(() => stack?.close());

  it('curates 520 generated traces (+2 broken lines), survives a killed curation worker without redoing finished traces, and reports broken lines', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curation-it-'));
    const input = path.join(dir, 'traces.jsonl');
    const traces = generateCountdownTraces(520, 2024);
    const lines = traces.map((t) =>
      JSON.stringify({ id: t.id, question: t.question, trace: t.trace, solution: t.solution }),
    );
    lines.splice(10, 0, '{"id": "broken", "question": ');
    lines.splice(300, 0, JSON.stringify({ id: 'no-trace', question: 'q', solution: 's' }));
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const outDir = path.join(dir, 'dataset');

    const configFile = writeConfigFile(config);
    const first = spawnWorkerProcess(configFile, 'curation');
    await waitForOutput(first, /polling/);
    const workflowId = `curate-${Date.now()}`;
    const args: CurationInput = {
      source: { kind: 'file', path: input },
      outDir,
      taskQueue: curationQueue(config),
      settings: settingsOf(config),
      dataset: 'countdown-it',
    };
    const handle = await client.workflow.start(curationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [args],
    });

    // Kill the worker once about a fifth of the traces have results in the store.
    const keysDir = path.join(config.artifacts.root, 'keys', 'curation', workflowId, 't');
    // Keys only: a worker killed mid-write leaves its temp file (`<key>.ref.json.<pid>.<hex>.tmp`)
    // beside them, never a half-written key (the store writes a temp file and renames it).
    const keyFiles = () =>
      fs.existsSync(keysDir) ? fs.readdirSync(keysDir).filter((f) => f.endsWith('.ref.json')) : [];
    const countKeys = () => keyFiles().length;
    await waitFor(() => countKeys() >= 100, 120_000, '100 curated traces');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const store = new ArtifactStore(config.artifacts.root);
    const before = new Map<string, string>();
    for (const f of keyFiles()) before.set(f, fs.readFileSync(path.join(keysDir, f), 'utf8'));
    for (const f of fs.readdirSync(keysDir)) expect(f).toMatch(/\.ref\.json(\.\d+\.[0-9a-f]{8}\.tmp)?$/);
    expect(before.size).toBeLessThan(520);
    const mid = await handle.query<{ done: number; total: number }>('progress');
    expect(mid.total).toBe(520);

    const second = spawnWorkerProcess(configFile, 'curation');
    try {
      const result = await handle.result();
      expect(result.datasetDir).toBe(outDir);
      expect(result.splits).toEqual({ sprint: path.join(outDir, 'sprint'), rft: path.join(outDir, 'rft') });
      expect(result.counts).toMatchObject({ inputLines: 522, inputRejects: 2, traces: 520, failed: 0 });
      expect(result.counts.kept + result.counts.rejected).toBe(520);
      expect(result.counts.kept).toBeGreaterThan(300);
      expect(result.counts.train + result.counts.test).toBe(result.counts.kept);
      expect(result.counts.test).toBe(Math.round(result.counts.kept * 0.1));

      // Finished traces were not redone: every key written before the kill still names the same
      // result, computed by the first worker process.
      for (const [f, refText] of before) {
        expect(fs.readFileSync(path.join(keysDir, f), 'utf8')).toBe(refText);
        const doc = await store.getJson<TraceResultDoc>(JSON.parse(refText) as ArtifactRef);
        expect(doc.worker.endsWith(`:${first.pid}`)).toBe(true);
      }
      const workersUsed = new Set<string>();
      for (const f of keyFiles()) {
        const doc = await store.getJson<TraceResultDoc>(
          JSON.parse(fs.readFileSync(path.join(keysDir, f), 'utf8')) as ArtifactRef,
        );
        workersUsed.add(doc.worker.split(':').pop()!);
      }
      expect(workersUsed).toEqual(new Set([String(first.pid), String(second.pid)]));

      // Broken lines are reported with their line number and reason.
      const rejects = readJsonl(path.join(outDir, 'rejects.jsonl'));
      expect(rejects.map((r) => r.line)).toEqual([11, 301]);
      expect(String(rejects[0]!.reason)).toMatch(/invalid JSON/);
      expect(String(rejects[1]!.reason)).toMatch(/no reasoning trace/);

      // Dataset files: every SPRINT sample parses back; RFT has the same ids.
      const train = readJsonl(path.join(outDir, 'sprint', 'train.jsonl'));
      const test = readJsonl(path.join(outDir, 'sprint', 'test.jsonl'));
      expect(train.length + test.length).toBe(result.counts.kept);
      for (const rec of [...train, ...test]) {
        const parsed = parseTrajectory(String(rec.prompt) + String(rec.completion));
        expect(parsed.problems).toEqual([]);
        expect(parsed.final).toMatch(/\\boxed\{/);
      }
      expect(readJsonl(path.join(outDir, 'rft', 'train.jsonl')).map((r) => r.id)).toEqual(
        train.map((r) => r.id),
      );
      const stats = JSON.parse(fs.readFileSync(path.join(outDir, 'stats.json'), 'utf8')) as {
        kept: number;
        reasons: Record<string, number>;
      };
      expect(stats.kept).toBe(result.counts.kept);
      expect(stats.reasons['input-line-rejected']).toBe(2);
      const report = fs.readFileSync(path.join(outDir, 'report.md'), 'utf8');
      expect(report).toContain('![ratio histogram](charts/ratio.svg)');
      expect(fs.readFileSync(path.join(outDir, 'charts', 'ratio.svg'), 'utf8')).toMatch(/^<svg/);

      // History stayed small (continue-as-new every 300 traces) and the search attributes tell the story.
      const desc = await handle.describe();
      expect(desc.runId).not.toBe(handle.firstExecutionRunId);
      expect(desc.searchAttributes.SprintKind).toEqual(['curation']);
      expect(desc.searchAttributes.SprintStatus).toEqual(['completed']);
      expect(desc.searchAttributes.SprintProgress).toEqual([520]);
      expect(desc.searchAttributes.SprintDataset).toEqual(['countdown-it']);
      expect(desc.searchAttributes.SprintKeptFraction?.[0]).toBeCloseTo(result.counts.kept / 520, 3);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  });

  it('a rerun with the same run key reuses every finished trace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curation-rerun-'));
    const { stop } = await startWorkers(config, 'curation');
    try {
      const args: CurationInput = {
        source: { kind: 'generate', count: 40, seed: 3 },
        outDir: path.join(dir, 'out'),
        taskQueue: curationQueue(config),
        settings: settingsOf(config),
        runKey: `rerun-${Date.now()}`,
      };
      const a = await client.workflow.execute(curationWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: `a-${Date.now()}`,
        args: [args],
      });
      expect(a.reused).toBe(0);
      const b = await client.workflow.execute(curationWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: `b-${Date.now()}`,
        args: [args],
      });
      expect(b.reused).toBe(40);
      expect(b.counts).toEqual(a.counts);
    } finally {
      await stop();
    }
  });
});
