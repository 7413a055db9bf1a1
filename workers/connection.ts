import * as fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { SprintConfig } from '../config/schema';
import { payloadCodecs } from '../io/codec';
import { tracingClientInterceptors } from './telemetry/client';

interface ConnectionBits {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

/** TLS files and the API key are read here, in the process that connects; they never enter Temporal. */
function connectionBits(config: SprintConfig, env: NodeJS.ProcessEnv = process.env): ConnectionBits {
  const t = config.temporal;
  const apiKey = env[t.apiKeyEnv] || undefined;
  const bits: ConnectionBits = { address: t.address, ...(apiKey ? { apiKey } : {}) };
  if (t.tls || apiKey) {
    bits.tls = {
      ...(t.tls?.serverName ? { serverNameOverride: t.tls.serverName } : {}),
      ...(t.tls?.serverRootCaCertPath
        ? { serverRootCACertificate: fs.readFileSync(t.tls.serverRootCaCertPath) }
        : {}),
      ...(t.tls?.clientCertPath && t.tls.clientKeyPath
        ? {
            clientCertPair: {
              crt: fs.readFileSync(t.tls.clientCertPath),
              key: fs.readFileSync(t.tls.clientKeyPath),
            },
          }
        : {}),
    };
  }
  return bits;
}

/** The data converter every client and worker of a deployment shares (payload encryption when keyed). */
export function dataConverterOf(config: SprintConfig, env: NodeJS.ProcessEnv = process.env): DataConverter {
  const codecs = payloadCodecs(config, env);
  return codecs.length ? { payloadCodecs: codecs } : {};
}

export async function connectClient(config: SprintConfig): Promise<Client> {
  const connection = await Connection.connect({ ...connectionBits(config), connectTimeout: 5000 });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterOf(config),
    ...tracingClientInterceptors(),
  });
}

export async function connectWorker(config: SprintConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionBits(config));
}
