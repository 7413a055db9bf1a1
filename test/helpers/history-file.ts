import * as fs from 'node:fs';
import { temporal } from '@temporalio/proto';

/*
 * Workflow histories on disk for the determinism guard. The format is the protobuf object form of
 * temporal.api.history.v1.History (enum names, 64-bit integers as strings, bytes as base64), i.e.
 * what Temporal's JSON histories hold. Written and read with the History type's own
 * toObject/fromObject rather than the SDK's historyToJSON/historyFromJSON: in this install
 * @temporalio/common resolves its own copy of protobufjs, and its proto-JSON helpers reject the
 * types of @temporalio/proto ("type must be a Type").
 */
const History = temporal.api.history.v1.History;

export function writeHistoryFile(file: string, history: temporal.api.history.v1.IHistory): void {
  const object = History.toObject(History.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
  fs.writeFileSync(file, `${JSON.stringify(object)}\n`);
}

/** A History the replayer takes as is (its event ids are Longs, so it skips its own JSON parser). */
export function readHistoryFile(file: string): temporal.api.history.v1.History {
  const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { events?: unknown }).events)) {
    throw new Error(`${file}: not a workflow history (no "events" array)`);
  }
  return History.fromObject(data);
}

/** The workflow type a history starts, from its first event. */
export function workflowTypeOf(history: temporal.api.history.v1.IHistory): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}
