/**
 * The real Temporal cluster of infra/temporal/cluster/start.sh (PostgreSQL, four server processes)
 * for the cluster suite, with mutual TLS on the frontend from certificates made here by openssl.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SprintConfig } from '../../config';
import { testConfig } from '../helpers/config';

const root = path.resolve(__dirname, '..', '..');
const scripts = path.join(root, 'infra', 'temporal', 'cluster');

export interface TlsFiles {
  dir: string;
  ca: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate it signed. */
export function makeCertificates(dir: string): TlsFiles {
  fs.mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=sprint test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  const leaf = (name: string, ext: string) => {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  leaf('server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: path.join(dir, 'ca.pem'),
    clientCert: path.join(dir, 'client.pem'),
    clientKey: path.join(dir, 'client.key'),
  };
}

/** A Temporal service process of the cluster. */
export type ClusterService = 'frontend' | 'history' | 'matching' | 'worker';

export interface Cluster {
  address: string;
  dir: string;
  tls: TlsFiles;
  /** Runs start.sh again: starts whatever is not running (a killed service). */
  restartMissing(): void;
  /** The pid of a Temporal service process. */
  pidOf(service: ClusterService): number;
  /**
   * restart.sh: starts a (killed) service again, or restarts PostgreSQL, and resolves once it
   * listens. Asynchronous, so the test process (and the engine double in it) keeps serving meanwhile.
   */
  restart(part: ClusterService | 'postgres'): Promise<void>;
  /** Bytes on disk of Temporal's two databases (history and visibility), as PostgreSQL counts them. */
  databaseBytes(): number;
  stop(): void;
}

/** Starts a fresh cluster in a temp dir on free ports (the first run also builds the server). */
export function startCluster(): Cluster {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-cluster-'));
  // Postgres runs as its own user when the suite runs as root: it must reach its data dir.
  fs.chmodSync(dir, 0o755);
  const tls = makeCertificates(path.join(dir, 'tls'));
  // Below 32750: Temporal keeps membership ports (port+10..13) in a smallint column.
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const env = {
    ...process.env,
    SPRINT_CLUSTER_DIR: path.join(dir, 'state'),
    SPRINT_CLUSTER_PORT: String(port),
    SPRINT_CLUSTER_TLS_DIR: tls.dir,
  };
  const run = (script: string) => {
    const res = spawnSync('bash', [path.join(scripts, script)], { env, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${script} failed (${res.status}):\n${res.stderr}`);
  };
  try {
    run('start.sh');
  } catch (err) {
    // Whatever did start (PostgreSQL, some services) must not outlive the failed suite.
    spawnSync('bash', [path.join(scripts, 'stop.sh')], { env });
    throw err;
  }
  return {
    address: `127.0.0.1:${port}`,
    dir,
    tls,
    restartMissing: () => run('start.sh'),
    pidOf: (service) => Number(fs.readFileSync(path.join(dir, 'state', 'run', `${service}.pid`), 'utf8')),
    restart: (part) =>
      new Promise<void>((resolve, reject) =>
        execFile('bash', [path.join(scripts, 'restart.sh'), part], { env }, (err, _out, stderr) =>
          err ? reject(new Error(`restart.sh ${part} failed: ${stderr}`)) : resolve(),
        ),
      ),
    databaseBytes: () => {
      const pgBin = fs
        .readdirSync('/usr/lib/postgresql')
        .sort()
        .map((v) => path.join('/usr/lib/postgresql', v, 'bin', 'psql'))
        .pop()!;
      const psql = [
        pgBin,
        '-h',
        path.join(dir, 'state', 'pgsock'),
        '-p',
        String(port + 20),
        '-U',
        'postgres',
      ];
      const sql = "select pg_database_size('temporal') + pg_database_size('temporal_visibility')";
      const args = [...psql, '-d', 'postgres', '-qtA', '-c', sql];
      const asRoot = process.getuid?.() === 0;
      const out = asRoot
        ? execFileSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' })
        : execFileSync(args[0]!, args.slice(1), { encoding: 'utf8' });
      return Number(out.trim());
    },
    stop: () => run('stop.sh'),
  };
}

/** A test config for this cluster over mTLS, with one pool `main` on the given engine for every role. */
export function clusterConfig(cluster: Cluster, engine: { model: string; baseUrl: string }): SprintConfig {
  return testConfig(cluster.address, {
    temporal: {
      tls: {
        serverName: 'localhost',
        serverRootCaCertPath: cluster.tls.ca,
        clientCertPath: cluster.tls.clientCert,
        clientKeyPath: cluster.tls.clientKey,
      },
    },
    models: {
      pools: { main: { model: engine.model, replicas: [{ name: 'r0', baseUrl: engine.baseUrl }] } },
      roles: { planner: 'main', executor: 'main', extractor: 'main', dag: 'main' },
    },
  });
}
