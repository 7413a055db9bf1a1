/*
 * Encryption keys for payloads in history, read from one environment variable (never from the config
 * file, never into Temporal). The value lists keys as `id=base64`, comma-separated; the first is the
 * active key that encrypts, the others only decrypt, so a key rotates by putting a new one first and
 * keeping the old ones until no retained history needs them.
 */

/** Key bytes of AES-256. */
export const KEY_BYTES = 32;

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface EncryptionKeys {
  /** The id written on every payload encrypted from now on. */
  activeKeyId: string;
  /** Every key that can decrypt, by id (the active one included). */
  keys: ReadonlyMap<string, Buffer>;
}

/** Parses the key list, naming the variable and the entry that is wrong. */
export function parseEncryptionKeys(value: string, variable: string): EncryptionKeys {
  const keys = new Map<string, Buffer>();
  let activeKeyId: string | undefined;
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0)
    throw new Error(`${variable} is set but names no key (expected id=base64key[,id=base64key...])`);
  entries.forEach((entry, i) => {
    const eq = entry.indexOf('=');
    const where = `${variable} entry ${i + 1}`;
    if (eq <= 0) throw new Error(`${where}: expected id=base64key`);
    const id = entry.slice(0, eq);
    if (!KEY_ID.test(id))
      throw new Error(`${where}: key id "${id}" may hold only letters, digits, ".", "_" and "-"`);
    if (keys.has(id)) throw new Error(`${where}: key id "${id}" is listed twice`);
    const encoded = entry.slice(eq + 1);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, ''))
      throw new Error(`${where}: key "${id}" must be ${KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
    keys.set(id, key);
    activeKeyId ??= id;
  });
  return { activeKeyId: activeKeyId!, keys };
}
