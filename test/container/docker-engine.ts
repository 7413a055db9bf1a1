import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/*
 * The real Docker engine for the container tests: dockerd is started when none answers, and the
 * trainer image is built (or reused: build.sh compares its inputs' digest) by the project's own
 * script, exactly as an operator does it.
 */

export const TRAINER_IMAGE = process.env.SPRINT_CONTAINER_IMAGE ?? 'sprint-sft:cpu';

export function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function engineAnswers(): boolean {
  try {
    docker(['info', '--format', '{{.ServerVersion}}']);
    return true;
  } catch {
    return false;
  }
}

/** Starts dockerd (detached, it outlives the tests like any daemon) when no engine answers. */
export async function ensureDockerEngine(): Promise<void> {
  if (engineAnswers()) return;
  const log = path.join(os.tmpdir(), 'sprint-dockerd.log');
  const out = fs.openSync(log, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  child.on('error', () => undefined); // reported below as "no engine"
  child.unref();
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (engineAnswers()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `no Docker engine answers and dockerd did not start (apt-get install docker.io; log: ${log})`,
  );
}

/** Builds the trainer image with infra/sft/image/build.sh, or reuses it when its inputs did not change. */
export function ensureTrainerImage(): void {
  const script = path.resolve(__dirname, '..', '..', 'infra', 'sft', 'image', 'build.sh');
  execFileSync('bash', [script, '--tag', TRAINER_IMAGE], { stdio: 'inherit' });
}
