import type { PayloadCodec } from '@temporalio/common';
import type { SprintConfig } from '../../config/schema';
import { AesGcmPayloadCodec } from './aes-gcm';
import { parseEncryptionKeys } from './keys';

export { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './aes-gcm';
export { parseEncryptionKeys, type EncryptionKeys } from './keys';
export { runCodecRequest, CodecRequestError, type CodecAction } from './remote';

/** Whether payloads in history are encrypted: the keys' environment variable is set in this process. */
export function encryptionEnabled(config: SprintConfig, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[config.temporal.encryption.keysEnv]?.trim());
}

/**
 * The payload codecs every client and worker of this deployment uses: AES-256-GCM when keys are
 * configured, none otherwise. Clients and workers must agree, so all of them build it here.
 */
export function payloadCodecs(config: SprintConfig, env: NodeJS.ProcessEnv = process.env): PayloadCodec[] {
  const variable = config.temporal.encryption.keysEnv;
  const value = env[variable];
  if (!value?.trim()) return [];
  return [new AesGcmPayloadCodec(parseEncryptionKeys(value, variable))];
}
