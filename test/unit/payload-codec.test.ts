import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  CodecRequestError,
  ENCRYPTED_ENCODING,
  parseEncryptionKeys,
  runCodecRequest,
} from '../../io/codec';

const key = () => randomBytes(32).toString('base64');
const text = new TextDecoder();
const codecOf = (value: string) => new AesGcmPayloadCodec(parseEncryptionKeys(value, 'KEYS'));
const question = 'What is the sum of the first 4 squares?';

describe('AES-256-GCM payload codec', () => {
  const k1 = key();
  const k2 = key();

  it('round-trips any payload and hides its bytes and encoding', async () => {
    const codec = codecOf(`k1=${k1}`);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.uint8Array({ maxLength: 40 })),
        fc.uint8Array({ maxLength: 2000 }),
        async (metadata, data) => {
          const payload: Payload = { metadata, data };
          const [sealed] = await codec.encode([payload]);
          expect(text.decode(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
          const [opened] = await codec.decode([sealed!]);
          expect(Buffer.from(opened!.data ?? [])).toEqual(Buffer.from(data));
          expect(Object.keys(opened!.metadata ?? {}).sort()).toEqual(Object.keys(metadata).sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves no plaintext of a question in the encoded payload', async () => {
    const codec = codecOf(`k1=${k1}`);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ question })]);
    const bytes = Buffer.from(sealed!.data!);
    expect(bytes.includes(Buffer.from('sum of the first'))).toBe(false);
    expect(JSON.stringify(sealed)).not.toContain('json/plain');
    // A fresh IV each time: the same payload never encrypts to the same bytes.
    const [again] = await codec.encode([defaultPayloadConverter.toPayload({ question })]);
    expect(Buffer.from(again!.data!).equals(bytes)).toBe(false);
  });

  it('rotates: the first key encrypts, older keys still decrypt, a dropped key is named', async () => {
    const before = codecOf(`old=${k1}`);
    const [oldSealed] = await before.encode([defaultPayloadConverter.toPayload(question)]);
    const rotated = codecOf(`new=${k2},old=${k1}`);
    const [newSealed] = await rotated.encode([defaultPayloadConverter.toPayload(question)]);
    expect(text.decode(newSealed!.metadata!['encryption-key-id'])).toBe('new');
    for (const sealed of [oldSealed!, newSealed!]) {
      const [opened] = await rotated.decode([sealed]);
      expect(defaultPayloadConverter.fromPayload(opened!)).toBe(question);
    }
    const dropped = codecOf(`new=${k2}`);
    await expect(dropped.decode([oldSealed!])).rejects.toThrow(
      /key "old", which is not among the configured keys \(new\)/,
    );
  });

  it('rejects altered ciphertext and passes unencrypted payloads through', async () => {
    const codec = codecOf(`k1=${k1}`);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(question)]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/failed authentication/);
    const plain = defaultPayloadConverter.toPayload('written before encryption was on');
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});

describe('encryption keys', () => {
  it.each([
    ['', /names no key/],
    ['nokey', /entry 1: expected id=base64key/],
    ['a b=' + key(), /key id "a b"/],
    [`a=${key()},a=${key()}`, /entry 2: key id "a" is listed twice/],
    ['a=c2hvcnQ=', /entry 1: key "a" must be 32 bytes/],
    [`a=${key()}!!`, /must be 32 bytes/],
  ])('rejects %j', (value, message) => {
    expect(() => parseEncryptionKeys(value, 'SPRINT_ENCRYPTION_KEYS')).toThrow(message);
  });

  it('makes the first key the active one', () => {
    const keys = parseEncryptionKeys(` b=${key()} , a=${key()}`, 'K');
    expect(keys.activeKeyId).toBe('b');
    expect([...keys.keys.keys()]).toEqual(['b', 'a']);
  });
});

describe('remote codec protocol', () => {
  const codec = codecOf(`k1=${key()}`);
  const jsonOf = (p: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data!).toString('base64'),
  });

  it('encodes and decodes the JSON shape the Web UI sends', async () => {
    const plain = defaultPayloadConverter.toPayload({ question });
    const encoded = await runCodecRequest([codec], 'encode', { payloads: [jsonOf(plain)] });
    expect(Buffer.from(encoded.payloads[0]!.metadata!.encoding!, 'base64').toString()).toBe(
      ENCRYPTED_ENCODING,
    );
    const decoded = await runCodecRequest([codec], 'decode', encoded);
    expect(decoded.payloads[0]).toEqual(jsonOf(plain));
  });

  it.each([
    [null, /body must be/],
    [{ payloads: {} }, /body must be/],
    [{ payloads: [3] }, /payloads\[0\] must be an object/],
    [{ payloads: [{ metadata: 'x' }] }, /payloads\[0\].metadata must be an object/],
    [{ payloads: [{ data: '%%%' }] }, /payloads\[0\].data must be a base64 string/],
  ])('answers a malformed body %j with a request error', async (body, message) => {
    const run = runCodecRequest([codec], 'decode', body);
    await expect(run).rejects.toThrow(CodecRequestError);
    await expect(runCodecRequest([codec], 'decode', body)).rejects.toThrow(message);
  });
});
