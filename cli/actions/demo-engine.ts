import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../infra/temporal/dev-server';

/**
 * Starts infra/serve/tiny_engine.py for one model folder (waiting for it to appear while a pipeline
 * still trains or publishes it), logging to a file under .sprint/. The caller kills it.
 */
export function startTinyEngine(opts: {
  modelFolder: string;
  baseUrl: string;
  servedName: string;
  logName: string;
}): { process: ChildProcess; logFile: string } {
  const port = new URL(opts.baseUrl).port || '80';
  fs.mkdirSync(path.join(projectRoot, '.sprint'), { recursive: true });
  const logFile = path.join(projectRoot, '.sprint', opts.logName);
  const child = spawn(
    path.join(projectRoot, '.venv', 'bin', 'python'),
    [
      path.join(projectRoot, 'infra', 'serve', 'tiny_engine.py'),
      '--model',
      opts.modelFolder,
      '--port',
      port,
      '--served-model-name',
      opts.servedName,
      '--wait-for-model',
      '86400',
    ],
    { cwd: projectRoot, stdio: ['ignore', fs.openSync(logFile, 'a'), fs.openSync(logFile, 'a')] },
  );
  return { process: child, logFile };
}
