import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { startBenchRecord, type BenchRecord } from '../../bench/results';
import type { FigureRow } from '../../bench/result-shape';
import { controlQueue, sessionRunInput, type SprintConfig } from '../../config';
import type { SessionResult } from '../../core/session-types';
import { sessionWorkflow } from '../../workflows';
import { writeConfigFile } from '../helpers/config';
import { LoopbackModelServer, type ModelRequestRecord } from '../helpers/loopback-model-server';
import { classify, sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { spawnWorkerProcess, waitFor, waitForOutput } from '../helpers/workers';
import { clusterConfig, startCluster, type Cluster, type ClusterService } from './cluster';

/*
 * Faults at every layer of the production shape, each injected in the middle of a long session:
 * SIGKILL of the history, matching and frontend services, a PostgreSQL restart, SIGKILL of the llm
 * worker and of the control worker. Each part is brought back after DOWN_MS, as a supervisor would.
 * The session must end exactly as a fault-free one does (same answer, same sequential tokens), no
 * call of a round finished before the fault may reach the engine again, and what the fault cost is
 * measured: engine calls repeated, the time until the session's history moved again, the time added
 * to the session. The figures go to bench/results/cluster-faults.json (BENCH_RESULTS_DIR elsewhere);
 * `npm run docs:benchmarks` renders them into docs/cluster.md and docs/benchmarks.md.
 *
 * The loopback engine double answers each call after CALL_DELAY_MS, so a session of the scenario
 * (seven calls one after another on its critical path) lasts about a minute.
 */
const CALL_DELAY_MS = Number(process.env.SPRINT_FAULTS_CALL_DELAY_MS ?? 8000);
/** How long a killed part stays down before it is started again (a supervisor's restart delay). */
const DOWN_MS = Number(process.env.SPRINT_FAULTS_DOWN_MS ?? 5000);
const QUESTION = 'What is 1+4+9+16?';

interface Fault {
  name: string;
  /** Kills the part, waits DOWN_MS, brings it back; resolves once it serves again. */
  inject(): Promise<void>;
}

/** A call as the engine sees it: the planner of a phase, an executor by its prompt, the final answer. */
function callKey(req: ModelRequestRecord): string {
  const kind = classify(req.prompt);
  if (kind.kind === 'plan') return `plan ${kind.phase}`;
  if (kind.kind === 'execute') return `execute ${kind.phase}: ${kind.promptText ?? kind.k}`;
  return 'final';
}

function phaseOf(key: string): number | undefined {
  const m = /^(?:plan|execute) (\d+)/.exec(key);
  return m ? Number(m[1]) : undefined;
}

function countByKey(reqs: readonly ModelRequestRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of reqs) counts.set(callKey(r), (counts.get(callKey(r)) ?? 0) + 1);
  return counts;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** The result, asked again while the cluster is still settling (a refused or unavailable call). */
async function resultOf(handle: WorkflowHandle<typeof sessionWorkflow>): Promise<SessionResult> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      return await handle.result();
    } catch (err) {
      if (err instanceof WorkflowFailedError || Date.now() > deadline) throw err;
      await sleep(1000);
    }
  }
}

describe('faults injected mid-session on the Temporal cluster', () => {
  let cluster: Cluster | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let configFile: string;
  let connection: Connection | undefined;
  let client: Client;
  let record: BenchRecord;
  const workers: Partial<Record<'control' | 'llm', ChildProcess & { output: () => string }>> = {};
  const rows: FigureRow[] = [];
  let baseline: { result: SessionResult; wallMs: number; keys: string[] } | undefined;
  let dbBytesBefore = 0;

  async function startWorker(role: 'control' | 'llm'): Promise<void> {
    const child = spawnWorkerProcess(configFile, role);
    workers[role] = child;
    await waitForOutput(child, /polling/, 120_000);
  }

  async function killWorker(role: 'control' | 'llm'): Promise<void> {
    const child = workers[role]!;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await sleep(DOWN_MS);
    await startWorker(role);
  }

  async function killService(service: ClusterService): Promise<void> {
    const pid = cluster!.pidOf(service);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !alive(pid), 10_000, `the ${service} service to die`);
    await sleep(DOWN_MS);
    await cluster!.restart(service);
    expect(cluster!.pidOf(service)).not.toBe(pid);
  }

  const faults: Fault[] = [
    { name: 'history SIGKILL', inject: () => killService('history') },
    { name: 'matching SIGKILL', inject: () => killService('matching') },
    { name: 'frontend SIGKILL', inject: () => killService('frontend') },
    { name: 'PostgreSQL restart', inject: () => cluster!.restart('postgres') },
    { name: 'llm worker SIGKILL', inject: () => killWorker('llm') },
    { name: 'control worker SIGKILL', inject: () => killWorker('control') },
  ];

  beforeAll(async () => {
    record = startBenchRecord('cluster-faults', {
      'call delay ms': CALL_DELAY_MS,
      'down ms': DOWN_MS,
      'history shards': 4,
      'server version': 'v1.32.2',
    });
    cluster = startCluster();
    engine = await new LoopbackModelServer().start();
    engine.setScript(sprintScript(threeRoundScenario(), { delayMs: CALL_DELAY_MS }));
    config = clusterConfig(cluster, engine);
    configFile = writeConfigFile(config);
    connection = await Connection.connect({
      address: cluster.address,
      tls: {
        serverNameOverride: 'localhost',
        serverRootCACertificate: fs.readFileSync(cluster.tls.ca),
        clientCertPair: {
          crt: fs.readFileSync(cluster.tls.clientCert),
          key: fs.readFileSync(cluster.tls.clientKey),
        },
      },
    });
    client = new Client({ connection, namespace: config.temporal.namespace });
    await startWorker('control');
    await startWorker('llm');
    dbBytesBefore = cluster.databaseBytes();
  }, 45 * 60_000);

  afterAll(async () => {
    // Only a full set of runs is a result worth keeping.
    if (rows.length === faults.length + 1)
      record.finish({
        'database growth KiB per session': Math.round(
          (cluster!.databaseBytes() - dbBytesBefore) / 1024 / rows.length,
        ),
        faults: rows,
      });
    for (const w of Object.values(workers)) w?.kill('SIGTERM');
    await connection?.close();
    await engine?.stop();
    cluster?.stop();
  }, 120_000);

  /** Runs one session, injecting `fault` once the last round's executors are in flight. */
  async function session(id: string, fault?: Fault) {
    const from = engine.requests.length;
    const startedAt = Date.now();
    const handle = await client.workflow.start(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id,
      args: [sessionRunInput(config, QUESTION)],
    });
    let faultAt: number | undefined;
    let backAt: number | undefined;
    let finishedKeys: string[] = [];
    if (fault) {
      // Rounds 1 and 2 and the plan of round 3 are done once round 3's executors reach the engine.
      await waitFor(
        () => engine.requests.slice(from).some((r) => phaseOf(callKey(r)) === 3 && callKey(r) !== 'plan 3'),
        5 * 60_000,
        "round 3's executors",
      );
      await sleep(1000);
      finishedKeys = [...countByKey(engine.requests.slice(from)).keys()].filter(
        (k) => k === 'plan 3' || (phaseOf(k) ?? 3) < 3,
      );
      faultAt = Date.now();
      await fault.inject();
      backAt = Date.now();
    }
    const result = await resultOf(handle);
    const wallMs = Date.now() - startedAt;
    const counts = countByKey(engine.requests.slice(from));
    const history = await handle.fetchHistory();
    const completions = history
      .events!.filter((e) => e.activityTaskCompletedEventAttributes)
      .map((e) => optionalTsToMs(e.eventTime) ?? 0);
    const firstProgress = faultAt !== undefined ? completions.find((t) => t > faultAt) : undefined;
    const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;
    const historyEvents = history.events!.length;
    return {
      result,
      wallMs,
      counts,
      finishedKeys,
      faultAt,
      backAt,
      firstProgress,
      historyBytes,
      historyEvents,
    };
  }

  it(
    'a fault-free session sets the answer, tokens and calls the faults are held to',
    async () => {
      const run = await session(`faults-baseline-${Date.now()}`);
      expect(run.result.finalAnswer).toContain('\\boxed{30}');
      expect(run.result.rounds).toBe(4);
      // One engine call per call of the session: 3 plans, 1 + 2 + 5 executors, the final answer.
      expect([...run.counts.values()].every((n) => n === 1)).toBe(true);
      expect(run.counts.size).toBe(12);
      baseline = { result: run.result, wallMs: run.wallMs, keys: [...run.counts.keys()].sort() };
      rows.push({
        fault: 'none',
        'same answer': true,
        'same sequential tokens': true,
        'engine calls': run.counts.size,
        'repeated calls': 0,
        'finished-round calls repeated': 0,
        'down s': null,
        'first progress s': null,
        'session s': seconds(run.wallMs),
        'added s': 0,
        'history events': run.historyEvents,
        'history KiB': Math.round(run.historyBytes / 102.4) / 10,
      });
    },
    10 * 60_000,
  );

  it.each(faults.map((f) => [f.name, f] as const))(
    '%s: the session ends as without it, finished rounds untouched',
    async (name, fault) => {
      expect(baseline).toBeDefined();
      const run = await session(`faults-${name.replace(/\W+/g, '-')}-${Date.now()}`, fault);
      const engineCalls = [...run.counts.values()].reduce((a, b) => a + b, 0);
      const finishedRepeats = run.finishedKeys.reduce((n, k) => n + (run.counts.get(k)! - 1), 0);
      const sameAnswer =
        run.result.finalAnswer === baseline!.result.finalAnswer && run.result.text === baseline!.result.text;
      const sameSequential = run.result.tokens.sequential === baseline!.result.tokens.sequential;
      rows.push({
        fault: name,
        'same answer': sameAnswer,
        'same sequential tokens': sameSequential,
        'engine calls': engineCalls,
        'repeated calls': engineCalls - run.counts.size,
        'finished-round calls repeated': finishedRepeats,
        'down s': seconds(run.backAt! - run.faultAt!),
        'first progress s':
          run.firstProgress !== undefined ? seconds(run.firstProgress - run.faultAt!) : null,
        'session s': seconds(run.wallMs),
        'added s': seconds(run.wallMs - baseline!.wallMs),
        'history events': run.historyEvents,
        'history KiB': Math.round(run.historyBytes / 102.4) / 10,
      });
      expect(sameAnswer).toBe(true);
      expect(sameSequential).toBe(true);
      expect(run.result.roundTokens).toEqual(baseline!.result.roundTokens);
      // Every call of the session reached the engine, and no call of a finished round twice.
      expect([...run.counts.keys()].sort()).toEqual(baseline!.keys);
      expect(run.finishedKeys.length).toBeGreaterThanOrEqual(6);
      expect(finishedRepeats).toBe(0);
    },
    10 * 60_000,
  );
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
