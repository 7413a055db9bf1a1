/**
 * TEST DOUBLE: a loopback OpenAI-compatible engine (stands in for vLLM/SGLang, which cannot run here).
 * Tests script its replies (text, delays, failures, usage counts) and read back every request with
 * its start and end times, so they can check stop strings, routing and overlap.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelRequestRecord {
  id: number;
  path: string;
  body: Record<string, unknown>;
  /** The prompt (completions) or the messages joined (chat). */
  prompt: string;
  startedAt: number;
  /** When a capacity slot took it (set only with `capacity`): it waited from startedAt until then. */
  admittedAt?: number;
  endedAt?: number;
  status?: number;
  aborted?: boolean;
}

/**
 * An engine's capacity: requests served at once; the rest wait in its queue, served in arrival
 * order (`fcfs`) or by the request's `priority` field (`priority`: vLLM's `--scheduling-policy
 * priority`, lower values first, ties in arrival order; with `lowValuesFirst: false`, SGLang's
 * default order, higher values first). Without priority scheduling a request that carries a
 * priority is refused with 400, as vLLM refuses one.
 */
export interface EngineCapacity {
  slots: number;
  policy: 'fcfs' | 'priority';
  lowValuesFirst?: boolean;
}

export interface ScriptedReply {
  text?: string;
  /** HTTP status for a failure reply (then `text` is the error message). */
  status?: number;
  headers?: Record<string, string>;
  finishReason?: string;
  stopReason?: string | null;
  /** Delay before the reply (or before the first token when streaming). */
  delayMs?: number;
  /** Simulated decode speed: completion tokens × this, added to the delay. */
  perTokenDelayMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  cachedPromptTokens?: number;
  /** Close the socket without answering (a crashed engine). */
  hangUp?: boolean;
}

export type ReplyScript = (req: ModelRequestRecord) => ScriptedReply | Promise<ScriptedReply>;

/** Deterministic token count for the double: whitespace-separated pieces. */
export function countTokens(text: string): number {
  // Counted without splitting: prompts of the worst-case session are megabytes long.
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c <= 32 ? c === 32 || (c >= 9 && c <= 13) : c >= 128 && /\s/.test(text[i]!);
    if (!space && !inWord) n += 1;
    inWord = !space;
  }
  return n;
}

/** Applies `stop` the way engines do: cut at the first stop string, which is not included. */
export function applyStop(text: string, stop: unknown): { text: string; stopReason: string | null } {
  const stops = Array.isArray(stop) ? (stop as string[]) : typeof stop === 'string' ? [stop] : [];
  let cut = -1;
  let which: string | null = null;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) {
      cut = i;
      which = s;
    }
  }
  return cut < 0 ? { text, stopReason: null } : { text: text.slice(0, cut), stopReason: which };
}

export class LoopbackModelServer {
  readonly requests: ModelRequestRecord[] = [];
  /**
   * Keep each request's prompt and body after it is answered (default). Tests of very long
   * sessions turn this off: they would otherwise hold every multi-megabyte prompt in memory.
   */
  keepPrompts = true;
  private server?: http.Server;
  private queue: ScriptedReply[] = [];
  private script: ReplyScript = () => ({ text: 'ok' });
  private nextId = 1;
  model = 'loopback-model';
  /**
   * Answer a request for any model but `model` as vLLM does: 404 with its error body. Off by
   * default, because most tests name models freely.
   */
  strictModel = false;
  /** Unset: every request is served at once (unbounded capacity). */
  capacity?: EngineCapacity;
  private running = 0;
  private waiting: { rank: number; seq: number; admit: () => void }[] = [];
  private arrivals = 0;

  /** Replies taken in order before the script is consulted. */
  enqueue(...replies: ScriptedReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** The fallback reply function. */
  setScript(script: ReplyScript): this {
    this.script = script;
    return this;
  }

  get baseUrl(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('loopback model server is not started');
    return `http://127.0.0.1:${addr.port}/v1`;
  }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /**
   * Waits for a capacity slot (at once without `capacity`). False when the client went away while
   * waiting: no slot was taken. A slot freed goes straight to the first waiting request in order.
   */
  private async admit(record: ModelRequestRecord, res: http.ServerResponse): Promise<boolean> {
    const capacity = this.capacity;
    if (!capacity) return true;
    if (this.running < capacity.slots) {
      this.running += 1;
    } else {
      const p = Number(record.body.priority ?? 0);
      const rank = capacity.policy === 'fcfs' ? 0 : capacity.lowValuesFirst === false ? -p : p;
      const admitted = await new Promise<boolean>((resolve) => {
        const entry = { rank, seq: this.arrivals++, admit: () => resolve(true) };
        this.waiting.push(entry);
        res.once('close', () => {
          const i = this.waiting.indexOf(entry);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          resolve(false);
        });
      });
      if (!admitted) return false;
    }
    record.admittedAt = Date.now();
    res.once('close', () => this.releaseSlot());
    return true;
  }

  private releaseSlot(): void {
    this.waiting.sort((a, b) => a.rank - b.rank || a.seq - b.seq);
    const next = this.waiting.shift();
    if (next) next.admit();
    else this.running -= 1;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '').replace(/\?.*$/, '');
    if (req.method === 'GET' && path.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: this.model, object: 'model' }] }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      res.writeHead(400).end('bad json');
      return;
    }
    const isChat = path.endsWith('/chat/completions');
    const prompt = isChat
      ? ((body.messages as { content: string }[] | undefined) ?? []).map((m) => m.content).join('\n')
      : typeof body.prompt === 'string'
        ? body.prompt
        : JSON.stringify(body.prompt ?? '');
    if (this.strictModel && body.model !== this.model) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'error',
          message: `The model \`${String(body.model)}\` does not exist.`,
          type: 'NotFoundError',
          param: null,
          code: 404,
        }),
      );
      return;
    }
    const record: ModelRequestRecord = { id: this.nextId++, path, body, prompt, startedAt: Date.now() };
    this.requests.push(record);
    if (!this.keepPrompts)
      res.on('close', () => {
        record.prompt = '';
        record.body = {};
      });
    let aborted = false;
    res.on('close', () => {
      if (!res.writableEnded) {
        aborted = true;
        record.aborted = true;
        record.endedAt = Date.now();
      }
    });
    // Scripted delays end early when the client goes away, so no timer outlives a test.
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const onClose = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          res.off('close', onClose);
          resolve();
        }, ms);
        res.once('close', onClose);
      });
    if (
      this.capacity?.policy === 'fcfs' &&
      record.body.priority !== undefined &&
      record.body.priority !== 0
    ) {
      // vLLM without --scheduling-policy priority refuses a request that asks for one.
      record.status = 400;
      record.endedAt = Date.now();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'error', message: 'priority scheduling is not enabled', code: 400 }));
      return;
    }
    if (!(await this.admit(record, res))) return;
    const reply = this.queue.shift() ?? (await this.script(record));
    if (reply.hangUp) {
      req.socket.destroy();
      record.endedAt = Date.now();
      return;
    }
    const raw = reply.text ?? '';
    const { text, stopReason } = reply.status ? { text: raw, stopReason: null } : applyStop(raw, body.stop);
    const completionTokens = reply.completionTokens ?? countTokens(text);
    const wait = (reply.delayMs ?? 0) + completionTokens * (reply.perTokenDelayMs ?? 0);
    const streaming = body.stream === true;
    if (!streaming || reply.status) {
      if (wait > 0) await pause(wait);
      if (aborted) return;
    }
    if (reply.status && reply.status >= 400) {
      record.status = reply.status;
      record.endedAt = Date.now();
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify({ error: { message: raw || `scripted ${reply.status}`, type: 'scripted' } }));
      return;
    }
    const usage = {
      prompt_tokens: reply.promptTokens ?? countTokens(prompt),
      completion_tokens: completionTokens,
      total_tokens: (reply.promptTokens ?? countTokens(prompt)) + completionTokens,
      ...(reply.cachedPromptTokens !== undefined
        ? { prompt_tokens_details: { cached_tokens: reply.cachedPromptTokens } }
        : {}),
    };
    const finish = reply.finishReason ?? 'stop';
    const stop_reason = reply.stopReason !== undefined ? reply.stopReason : stopReason;
    if (streaming) {
      res.writeHead(200, { 'content-type': 'text/event-stream', ...(reply.headers ?? {}) });
      if (reply.delayMs) await pause(reply.delayMs);
      const pieces = text.match(/\s*\S+/g) ?? [];
      let sent = '';
      for (const piece of pieces) {
        if (aborted) return;
        if (reply.perTokenDelayMs) await pause(reply.perTokenDelayMs);
        sent += piece;
        res.write(
          `data: ${JSON.stringify({ id: `cmpl-${record.id}`, object: 'text_completion', model: this.model, choices: [{ index: 0, text: piece, finish_reason: null }] })}\n\n`,
        );
      }
      const rest = text.slice(sent.length);
      res.write(
        `data: ${JSON.stringify({ id: `cmpl-${record.id}`, object: 'text_completion', model: this.model, choices: [{ index: 0, text: rest, finish_reason: finish, stop_reason }] })}\n\n`,
      );
      res.write(
        `data: ${JSON.stringify({ id: `cmpl-${record.id}`, object: 'text_completion', model: this.model, choices: [], usage })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
      record.status = 200;
      record.endedAt = Date.now();
      return;
    }
    const payload = isChat
      ? {
          id: `chatcmpl-${record.id}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: this.model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
          usage,
        }
      : {
          id: `cmpl-${record.id}`,
          object: 'text_completion',
          created: Math.floor(Date.now() / 1000),
          model: this.model,
          choices: [{ index: 0, text, finish_reason: finish, stop_reason, logprobs: null }],
          usage,
        };
    record.status = 200;
    record.endedAt = Date.now();
    res.writeHead(200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
    res.end(JSON.stringify(payload));
  }
}
