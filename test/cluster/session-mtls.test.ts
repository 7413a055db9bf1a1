import { execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as tls from 'node:tls';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { LoopbackModelServer } from '../helpers/loopback-model-server';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { writeConfigFile } from '../helpers/config';
import { spawnWorkerProcess, waitForOutput } from '../helpers/workers';
import { clusterConfig, startCluster, type Cluster } from './cluster';

/*
 * A session, a curation and an evaluation through the production shape: PostgreSQL, frontend,
 * history, matching and worker as separate server processes, mutual TLS on the frontend, and
 * sprint's control, llm and curation workers each in a process of its own, driven by the CLI as a
 * user would.
 */
const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'sprint.js');

describe('sessions, a curation and an evaluation through the CLI on the Temporal cluster over mTLS', () => {
  let cluster: Cluster | undefined;
  let engine: LoopbackModelServer;
  let configFile: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = startCluster();
    engine = await new LoopbackModelServer().start();
    engine.setScript(sprintScript(threeRoundScenario()));
    const config = clusterConfig(cluster, engine);
    configFile = writeConfigFile(config);
    for (const role of ['control', 'llm', 'curation'] as const) {
      const child = spawnWorkerProcess(configFile, role);
      workers.push(child);
      await waitForOutput(child, /polling/, 120_000);
    }
  }, 45 * 60_000);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await engine?.stop();
    cluster?.stop();
  }, 120_000);

  it('the frontend refuses a client without a certificate', async () => {
    // A TLS client that trusts the cluster's CA but shows no certificate of its own: the frontend
    // ends the handshake with an alert (TLS 1.3 sends it after the client's first flight).
    const [host, port] = cluster!.address.split(':');
    const ending = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host,
        port: Number(port),
        ca: fs.readFileSync(cluster!.tls.ca),
        servername: 'localhost',
        ALPNProtocols: ['h2'],
      });
      socket.on('secureConnect', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
      socket.on('error', (err: Error) => resolve(err.message));
      socket.on('close', () => resolve('closed without an error'));
      socket.setTimeout(15_000, () => {
        socket.destroy();
        resolve('timed out');
      });
    });
    expect(ending).toMatch(/certificate required|alert/i);
    // And Temporal's own client, without a certificate, gets no answer from the frontend.
    const connection = await Connection.connect({
      address: cluster!.address,
      tls: { serverNameOverride: 'localhost', serverRootCACertificate: fs.readFileSync(cluster!.tls.ca) },
      connectTimeout: 5000,
    }).catch((err: unknown) => err as Error);
    if (connection instanceof Error) return;
    await expect(connection.workflowService.getSystemInfo({})).rejects.toThrow();
    await connection.close();
  }, 60_000);

  it(
    'sprint ask finishes a session with the scripted answer; status finds every queue served',
    async () => {
      const { stdout } = await run(process.execPath, [
        bin,
        '--config',
        configFile,
        'ask',
        'What is 1+4+9+16?',
        '--id',
        'cluster-ask-1',
        '--json',
      ]);
      const result = JSON.parse(stdout) as { finalAnswer: string; rounds: number };
      expect(result.finalAnswer).toContain('\\boxed{30}');
      expect(result.rounds).toBe(4);
      const status = await run(process.execPath, [bin, '--config', configFile, 'status', '--json']).catch(
        (err: { stdout: string }) => err,
      );
      const checks = (JSON.parse(status.stdout) as { checks: { what: string; ok: boolean }[] }).checks;
      expect(checks.find((c) => c.what === 'temporal')?.ok).toBe(true);
      expect(checks.find((c) => c.what === 'search attributes')?.ok).toBe(true);
      expect(checks.find((c) => c.what === 'runs')?.ok).toBe(true);
    },
    10 * 60_000,
  );

  it(
    'sprint curate runs on the curation worker and writes the dataset',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-curate-'));
      const traces = path.join(dir, 'traces.jsonl');
      await run(process.execPath, [
        bin,
        'curate',
        'generate',
        '--count',
        '40',
        '--seed',
        '9',
        '--out',
        traces,
      ]);
      const out = path.join(dir, 'dataset');
      const { stdout } = await run(process.execPath, [
        bin,
        '--config',
        configFile,
        'curate',
        '--input',
        traces,
        '--out',
        out,
        '--limit',
        '30',
        '--json',
      ]);
      const result = JSON.parse(stdout) as {
        datasetDir: string;
        counts: { traces: number; kept: number; rejected: number; failed: number };
      };
      expect(result.datasetDir).toBe(out);
      expect(result.counts.traces).toBe(30);
      expect(result.counts.kept).toBeGreaterThan(0);
      expect(result.counts.kept + result.counts.rejected + result.counts.failed).toBe(30);
      expect(fs.existsSync(path.join(out, 'report.md'))).toBe(true);
    },
    10 * 60_000,
  );

  it(
    'sprint eval runs SPRINT sessions on the llm worker and writes the report',
    async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-eval-'));
      const { stdout } = await run(process.execPath, [
        bin,
        '--config',
        configFile,
        'eval',
        '--benchmark',
        'countdown',
        '--method',
        'sprint',
        '--limit',
        '2',
        '--out',
        out,
        '--json',
      ]);
      const result = JSON.parse(stdout) as { summary: { problems: number; method: string } };
      expect(result.summary).toMatchObject({ problems: 2, method: 'sprint' });
      expect(fs.existsSync(path.join(out, 'results.jsonl'))).toBe(true);
      expect(fs.existsSync(path.join(out, 'report.md'))).toBe(true);
    },
    10 * 60_000,
  );
});
