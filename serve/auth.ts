import { createHash, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { SERVE_DEFAULTS } from '../core/serve/defaults';

/*
 * Bearer API keys of `sprint serve`: from $SPRINT_API_KEYS (or the variable config serve.apiKeysEnv
 * names; comma-separated) and/or a file (one key a line, `#` comments). Keys are compared as SHA-256 digests with a constant-time comparison, so
 * neither their length nor a prefix leaks through timing; they are never logged.
 */

/** The default variable that holds the keys. */
export const API_KEYS_ENV = SERVE_DEFAULTS.apiKeysEnv;

export class ApiKeyError extends Error {}

export function loadApiKeys(opts: {
  env?: NodeJS.ProcessEnv;
  /** The variable that holds the keys (config serve.apiKeysEnv). */
  envName?: string;
  file?: string;
}): string[] {
  const keys: string[] = [];
  const fromEnv = opts.env?.[opts.envName ?? API_KEYS_ENV];
  if (fromEnv)
    keys.push(
      ...fromEnv
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    );
  if (opts.file) {
    let text: string;
    try {
      text = fs.readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new ApiKeyError(
        `cannot read the API key file ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    text.split(/\r?\n/).forEach((line, i) => {
      const key = line.trim();
      if (!key || key.startsWith('#')) return;
      if (/\s/.test(key))
        throw new ApiKeyError(`${opts.file}:${i + 1}: an API key cannot contain whitespace`);
      keys.push(key);
    });
  }
  return keys;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class ApiKeyCheck {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** A stable, non-secret name of the caller: the hex digest of its key ('' without one). */
  callerOf(authorization: string | undefined): string {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return m ? digest(m[1]!).toString('hex') : '';
  }

  /** True when the Authorization header carries one of the keys as `Bearer <key>`. */
  allows(authorization: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return false;
    const given = digest(m[1]!);
    // Compare against every key (no early exit): the time does not say which one matched.
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, given) || ok;
    return ok;
  }
}
