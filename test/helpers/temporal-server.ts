import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ensureTemporalCli,
  freePort,
  startDevServer,
  type DevServer,
  type DevServerOptions,
} from '../../infra/temporal/dev-server';

export interface TestServer extends DevServer {
  dbFile: string;
  port: number;
}

/** A real Temporal dev server (the project's pinned CLI) on a free port with a throwaway SQLite file. */
export async function startTestServer(
  opts: { dbFile?: string; port?: number; tuning?: DevServerOptions['tuning'] } = {},
): Promise<TestServer> {
  const cliPath = ensureTemporalCli();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-temporal-'));
  const dbFile = opts.dbFile ?? path.join(dir, 'temporal.db');
  const port = opts.port ?? (await freePort());
  const server = await startDevServer({
    cliPath,
    ip: '127.0.0.1',
    port,
    uiPort: port + 1000,
    dbFile,
    namespace: 'default',
    retentionDays: 30,
    headless: true,
    logFile: path.join(dir, 'server.log'),
    ...(opts.tuning ? { tuning: opts.tuning } : {}),
  });
  return Object.assign(server, { dbFile, port });
}
