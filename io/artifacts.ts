import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { artifactUri, type ArtifactRef } from '../core/artifact-ref';
import { ErrorType } from '../core/errors';

export type { ArtifactRef };

const URI_PATTERN = /^artifact:\/\/sha256\/([0-9a-f]{64})(\.[A-Za-z0-9]+)?$/;
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,200}$/;

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Content-addressed files under one root. Writes are atomic (temp file + rename), so a crash never
 * leaves a half-written artifact, and writing the same content twice is a no-op.
 * Keys (`setKey`/`getKey`) map deterministic names (e.g. `curation/<run>/trace-17`) to refs: that
 * is how a retried activity finds the output of its earlier attempt.
 */
export class ArtifactStore {
  constructor(readonly root: string) {}

  /** Absolute path of an artifact's file on this worker. */
  pathOf(ref: ArtifactRef | string): string {
    const uri = artifactUri(ref);
    const m = URI_PATTERN.exec(uri);
    if (!m) throw new Error(`not an artifact uri: ${uri}`);
    const hex = m[1]!;
    return path.join(this.root, 'sha256', hex.slice(0, 2), `${hex}${m[2] ?? ''}`);
  }

  private async writeAtomic(target: string, data: Buffer | string): Promise<void> {
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, target);
  }

  async put(data: Buffer | string, ext = ''): Promise<ArtifactRef> {
    if (ext && !/^\.[A-Za-z0-9]+$/.test(ext)) throw new Error(`bad artifact extension "${ext}"`);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const hex = sha256(buf);
    const ref: ArtifactRef = { uri: `artifact://sha256/${hex}${ext}`, sha256: hex, bytes: buf.length };
    const target = this.pathOf(ref);
    if (!fs.existsSync(target)) await this.writeAtomic(target, buf);
    return ref;
  }

  putJson(value: unknown): Promise<ArtifactRef> {
    return this.put(JSON.stringify(value), '.json');
  }

  /** Copies a file into the store (streamed hash; the file may be large, e.g. a checkpoint shard). */
  async putFile(file: string, ext = path.extname(file)): Promise<ArtifactRef> {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of fs.createReadStream(file)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    const hex = hash.digest('hex');
    const ref: ArtifactRef = { uri: `artifact://sha256/${hex}${ext}`, sha256: hex, bytes };
    const target = this.pathOf(ref);
    if (!fs.existsSync(target)) {
      await fsp.mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      await fsp.copyFile(file, tmp);
      await fsp.rename(tmp, target);
    }
    return ref;
  }

  /** Reads and verifies an artifact; a missing or corrupted file is an error that says which. */
  async get(ref: ArtifactRef | string): Promise<Buffer> {
    const file = this.pathOf(ref);
    let buf: Buffer;
    try {
      buf = await fsp.readFile(file);
    } catch {
      throw ApplicationFailure.nonRetryable(
        `artifact ${artifactUri(ref)} is not in the store at ${this.root}`,
        ErrorType.ArtifactMissing,
      );
    }
    const expected = URI_PATTERN.exec(artifactUri(ref))?.[1];
    if (expected && sha256(buf) !== expected) {
      throw ApplicationFailure.nonRetryable(
        `artifact ${file} is corrupted (hash mismatch)`,
        ErrorType.ArtifactCorrupt,
      );
    }
    return buf;
  }

  async getText(ref: ArtifactRef | string): Promise<string> {
    return (await this.get(ref)).toString('utf8');
  }

  async getJson<T = unknown>(ref: ArtifactRef | string): Promise<T> {
    return JSON.parse(await this.getText(ref)) as T;
  }

  private keyPath(key: string): string {
    if (!KEY_PATTERN.test(key) || key.includes('..')) throw new Error(`bad artifact key "${key}"`);
    return path.join(this.root, 'keys', `${key}.ref.json`);
  }

  /** Names a ref under a deterministic key (last write wins; writes are atomic). */
  async setKey(key: string, ref: ArtifactRef): Promise<void> {
    await this.writeAtomic(this.keyPath(key), JSON.stringify(ref));
  }

  async getKey(key: string): Promise<ArtifactRef | undefined> {
    try {
      const ref = JSON.parse(await fsp.readFile(this.keyPath(key), 'utf8')) as ArtifactRef;
      return fs.existsSync(this.pathOf(ref)) ? ref : undefined;
    } catch {
      return undefined;
    }
  }
}
