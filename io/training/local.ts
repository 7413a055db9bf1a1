import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { trainerEnvironment } from '../../core/trainer-env';
import { packageRoot } from '../package-root';
import type { JobHandle, JobStatus, LaunchSpec, Launcher, LineReader } from './types';

export const repoRoot = packageRoot;

export interface LocalLauncherOptions {
  /** Python interpreter (default: the project's .venv). */
  python?: string;
  /** The trainer script (default: infra/sft/train.py of this checkout). */
  trainerScript?: string;
  /** The worker's environment (default process.env): only trainerEnvironment's allow-list passes. */
  env?: NodeJS.ProcessEnv;
  /** Added on top of the allowed variables (the Hub token as HF_TOKEN). */
  extraEnv?: Record<string, string>;
  /** Seconds between SIGTERM and SIGKILL when stopping. */
  killGraceMs?: number;
}

/** Files of one launch inside the run folder. */
export function launchFiles(runDir: string, launch: number) {
  const base = path.join(runDir, `launch-${launch}`);
  return {
    pid: `${base}.pid`,
    events: `${base}.events.jsonl`,
    log: `${base}.log`,
    exit: `${base}.exit`,
    cmd: `${base}.cmd.json`,
  };
}

function readInt(file: string): number | undefined {
  try {
    const n = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` is a live (not zombie) process that runs this launch's wrapper (checked through
 * /proc where it exists, so a recycled pid is not mistaken for the trainer).
 */
export function launchAlive(pid: number, pidFile: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(pidFile);
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** Reads whole lines appended to a file since the previous call. */
export class FileLineReader implements LineReader {
  private offset = 0;
  private rest = '';
  constructor(private readonly file: string) {}

  async read(): Promise<string[]> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.file, 'r');
    } catch {
      return [];
    }
    try {
      const { size } = await fh.stat();
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const text = this.rest + buf.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.rest = lines.pop() ?? '';
      return lines.filter((l) => l.length > 0);
    } finally {
      await fh.close();
    }
  }
}

export function tailFile(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').filter(Boolean).slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Runs the trainer as a detached child process of the worker (its own process group), with its
 * stdout (events) and stderr (log) in files of the run folder and its pid and exit code in files
 * too. The job therefore outlives a crashed worker, and a retried activity reattaches to it by the
 * pid file and reads on from the files.
 */
export class LocalLauncher implements Launcher {
  readonly kind = 'local' as const;
  constructor(private readonly opts: LocalLauncherOptions = {}) {}

  python(): string {
    return this.opts.python ?? path.join(repoRoot, '.venv', 'bin', 'python');
  }

  async launch(spec: LaunchSpec): Promise<JobHandle> {
    fs.mkdirSync(spec.runDir, { recursive: true });
    const files = launchFiles(spec.runDir, spec.launch);
    const existing = readInt(files.pid);
    const handle: JobHandle = {
      launcher: 'local',
      name: spec.name,
      launch: spec.launch,
      runDir: spec.runDir,
    };
    if (existing !== undefined) return { ...handle, pid: existing };

    const python = this.python();
    if (!fs.existsSync(python)) {
      throw new Error(
        `Python interpreter ${python} not found: run \`bash scripts/setup-python.sh\` (or set training.python)`,
      );
    }
    const script = this.opts.trainerScript ?? path.join(repoRoot, 'infra', 'sft', 'train.py');
    const argv = [
      python,
      script,
      '--dataset',
      spec.datasetDir,
      '--output-dir',
      spec.runDir,
      ...spec.trainerArgs,
    ];
    fs.writeFileSync(files.cmd, JSON.stringify({ argv, launchedAt: new Date().toISOString() }, null, 2));
    // The shell writes its own pid first (so even a crash right after spawn leaves a findable job),
    // then runs the trainer and records its exit status.
    const wrapper =
      'echo $$ > "$1"; shift; ev="$1"; shift; log="$1"; shift; ex="$1"; shift; "$@" >"$ev" 2>"$log"; echo $? >"$ex"';
    const child = spawn(
      '/bin/sh',
      ['-c', wrapper, 'sprint-train', files.pid, files.events, files.log, files.exit, ...argv],
      {
        cwd: repoRoot,
        detached: true,
        stdio: 'ignore',
        env: {
          ...trainerEnvironment(this.opts.env ?? process.env, this.opts.extraEnv),
          PYTHONUNBUFFERED: '1',
          TOKENIZERS_PARALLELISM: 'false',
        },
      },
    );
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${python}`);
    if (!fs.existsSync(files.pid)) fs.writeFileSync(files.pid, `${child.pid}\n`);
    return { ...handle, pid: child.pid };
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const files = launchFiles(handle.runDir, handle.launch);
    const pid = handle.pid ?? readInt(files.pid);
    if (pid === undefined) return { phase: 'missing', message: `no pid file ${files.pid}` };
    if (launchAlive(pid, files.pid)) return { phase: 'running' };
    const code = readInt(files.exit);
    if (code === undefined)
      return { phase: 'failed', message: `process ${pid} ended without an exit status (killed)` };
    return code === 0
      ? { phase: 'succeeded', exitCode: 0 }
      : { phase: 'failed', exitCode: code, message: `trainer exited with status ${code}` };
  }

  reader(handle: JobHandle): LineReader {
    return new FileLineReader(launchFiles(handle.runDir, handle.launch).events);
  }

  async logTail(handle: JobHandle, lines: number): Promise<string> {
    const files = launchFiles(handle.runDir, handle.launch);
    const log = tailFile(files.log, lines);
    const events = tailFile(files.events, 3);
    return [log, events].filter(Boolean).join('\n');
  }

  async stop(handle: JobHandle): Promise<void> {
    const files = launchFiles(handle.runDir, handle.launch);
    const pid = handle.pid ?? readInt(files.pid);
    if (pid === undefined || !launchAlive(pid, files.pid)) return;
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig); // the whole process group: the shell and the trainer
      } catch {
        try {
          process.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + (this.opts.killGraceMs ?? 10_000);
    while (Date.now() < deadline && launchAlive(pid, files.pid)) await new Promise((r) => setTimeout(r, 100));
    if (launchAlive(pid, files.pid)) signal('SIGKILL');
  }
}
