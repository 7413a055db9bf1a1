import type { Payload, PayloadCodec } from '@temporalio/common';

/*
 * The JSON shape of Temporal's remote codec protocol, which the Web UI and `temporal` CLI speak to a
 * codec endpoint: POST {endpoint}/encode or /decode with {"payloads": [{"metadata": {k: base64},
 * "data": base64}]}, answered in the same shape.
 */

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export type CodecAction = 'encode' | 'decode';

/** A request body that is not the protocol's shape: the endpoint answers 400 with this message. */
export class CodecRequestError extends Error {}

function base64Field(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value))
    throw new CodecRequestError(`${where} must be a base64 string`);
  return Buffer.from(value, 'base64');
}

/** The payloads of a request body, checked field by field. */
export function payloadsFromJson(body: unknown): Payload[] {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(list)) throw new CodecRequestError('body must be {"payloads": [...]}');
  return list.map((p: unknown, i) => {
    if (typeof p !== 'object' || p === null) throw new CodecRequestError(`payloads[${i}] must be an object`);
    const { metadata, data } = p as { metadata?: unknown; data?: unknown };
    const out: Payload = { metadata: {} };
    if (metadata !== undefined) {
      if (typeof metadata !== 'object' || metadata === null)
        throw new CodecRequestError(`payloads[${i}].metadata must be an object`);
      for (const [k, v] of Object.entries(metadata))
        out.metadata![k] = base64Field(v, `payloads[${i}].metadata.${k}`);
    }
    if (data !== undefined) out.data = base64Field(data, `payloads[${i}].data`);
    return out;
  });
}

export function payloadsToJson(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v ?? new Uint8Array()).toString('base64'),
        ]),
      ),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}

/** Runs one protocol request through the codecs (decode applies them in reverse, as the SDK does). */
export async function runCodecRequest(
  codecs: readonly PayloadCodec[],
  action: CodecAction,
  body: unknown,
): Promise<{ payloads: JsonPayload[] }> {
  let payloads = payloadsFromJson(body);
  if (action === 'encode') for (const codec of codecs) payloads = await codec.encode(payloads);
  else for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
  return payloadsToJson(payloads);
}
