import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { defaultServeOptions, type ServeContext } from '../../serve/context';
import { watchClient } from '../../serve/pipeline/disconnect';
import type { StartedGeneration } from '../../serve/pipeline/start';
import { SseStream } from '../../serve/sse';

/*
 * The HTTP side of following a run, without a server: a slow reader holds the stream writer back,
 * and a client gone before the watch began is still seen.
 */

/** A socket-like writable whose writes complete only when `flush()` is called. */
function slowReader() {
  const pending: (() => void)[] = [];
  const sink = new Writable({
    highWaterMark: 16,
    write(_chunk, _enc, callback) {
      pending.push(callback);
    },
  });
  return { sink, flush: () => pending.splice(0).forEach((cb) => cb()) };
}

describe('SSE backpressure', () => {
  it('send() waits for the reader to drain, and a closed reader releases it', async () => {
    const { sink, flush } = slowReader();
    const sse = new SseStream(sink as unknown as ServerResponse);
    let sent = false;
    const sending = sse.send({ text: 'x'.repeat(100) }).then(() => (sent = true));
    await new Promise((r) => setImmediate(r));
    expect(sent).toBe(false);
    flush();
    await sending;
    expect(sent).toBe(true);

    let released = false;
    const blocked = sse.send({ text: 'y'.repeat(100) }).then(() => (released = true));
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(false);
    sink.destroy();
    await blocked;
    expect(released).toBe(true);
  });
});

describe('a client that left before its watch began', () => {
  function setup(destroyed: boolean, onDisconnect: 'cancel' | 'continue') {
    const cancelled: string[] = [];
    const raw = Object.assign(new EventEmitter(), { destroyed });
    const reply = { raw, request: { raw: { socket: { destroyed } } } } as unknown as FastifyReply;
    const ctx = {
      options: { ...defaultServeOptions, onDisconnect, log: () => undefined },
    } as unknown as ServeContext;
    const started = {
      workflowId: 'serve-1',
      handle: { cancel: async () => void cancelled.push('serve-1') },
    } as unknown as StartedGeneration;
    return { watch: () => watchClient(ctx, reply, started, undefined), raw, cancelled };
  }

  it('is seen at once: following stops and its workflow is cancelled', async () => {
    const { watch, cancelled } = setup(true, 'cancel');
    expect(watch().signal.aborted).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(cancelled).toEqual(['serve-1']);
  });

  it('a client still there is followed until its close (and an answered one not cancelled)', async () => {
    const { watch, raw, cancelled } = setup(false, 'cancel');
    const w = watch();
    expect(w.signal.aborted).toBe(false);
    raw.emit('close');
    expect(w.signal.aborted).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(cancelled).toEqual(['serve-1']);
    const again = setup(false, 'cancel');
    const answered = again.watch();
    answered.answered();
    again.raw.emit('close');
    expect(answered.signal.aborted).toBe(false);
    expect(again.cancelled).toEqual([]);
  });
});
