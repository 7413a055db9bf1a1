/*
 * The overhead bench on a real engine (issue 16, GPU check): scripted SPRINT replies, timed by vLLM.
 *
 * A model in dummy weights writes no SPRINT tags, so the session's text still comes from the bench's
 * script; the time does not. Each completion request is forwarded to vLLM with the session's real
 * prompt (so prefill and the prefix cache see exactly what a served session sends) and with
 * `min_tokens = max_tokens = ` the scripted reply's length and `ignore_eos`, so the engine decodes as
 * many tokens as the scripted reply has; the answer carries the scripted text and vLLM's usage
 * (prompt and cached prompt tokens as the engine counted them). Same interface as the loopback
 * double the bench uses otherwise (requests with times, setScript, baseUrl).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  applyStop,
  countTokens,
  type ModelRequestRecord,
  type ReplyScript,
} from '../test/helpers/loopback-model-server';

interface VllmCompletion {
  model?: string;
  choices?: { text?: string }[];
  usage?: Record<string, unknown>;
}

export class VllmReplayEngine {
  readonly requests: ModelRequestRecord[] = [];
  private script: ReplyScript = () => ({ text: '' });
  private server?: http.Server;
  private nextId = 1;

  /** `vllmUrl`: the engine's OpenAI base URL (…/v1); `model`: the name it serves. */
  constructor(
    private readonly vllmUrl: string,
    private readonly model: string,
  ) {}

  setScript(script: ReplyScript): this {
    this.script = script;
    return this;
  }

  get baseUrl(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('replay engine not started');
    return `http://127.0.0.1:${addr.port}/v1`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `replay engine: ${(err as Error).message}` } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
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
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    if (!path.endsWith('/completions') || path.endsWith('/chat/completions') || body.stream === true)
      throw new Error(
        `only non-streaming /v1/completions is replayed (got ${path}, stream ${String(body.stream)})`,
      );
    const prompt = String(body.prompt);
    const record: ModelRequestRecord = { id: this.nextId++, path, body, prompt, startedAt: Date.now() };
    this.requests.push(record);
    const reply = await this.script(record);
    const { text, stopReason } = applyStop(reply.text ?? '', body.stop);
    const tokens = Math.max(1, countTokens(text));
    const upstream = await fetch(`${this.vllmUrl}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: this.model,
        prompt,
        max_tokens: tokens,
        min_tokens: tokens,
        ignore_eos: true,
        temperature: 0,
      }),
    });
    if (!upstream.ok) throw new Error(`vLLM answered ${upstream.status}: ${await upstream.text()}`);
    const answer = (await upstream.json()) as VllmCompletion;
    record.status = 200;
    record.endedAt = Date.now();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `cmpl-${record.id}`,
        object: 'text_completion',
        created: Math.floor(Date.now() / 1000),
        model: this.model,
        choices: [{ index: 0, text, finish_reason: 'stop', stop_reason: stopReason, logprobs: null }],
        usage: { ...answer.usage, completion_tokens: tokens },
      }),
    );
  }
}

/** Prefix-cache and time-to-first-token counters of vLLM's Prometheus endpoint (V1 names). */
export interface VllmCounters {
  prefixQueries: number;
  prefixHits: number;
  ttftSum: number;
  ttftCount: number;
}

/** Reads the counters from `<server>/metrics` (the base URL without /v1); missing ones read as 0. */
export async function vllmCounters(vllmUrl: string): Promise<VllmCounters> {
  const text = await (await fetch(`${vllmUrl.replace(/\/v1\/?$/, '')}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return {
    prefixQueries: sum('vllm:prefix_cache_queries_total'),
    prefixHits: sum('vllm:prefix_cache_hits_total'),
    ttftSum: sum('vllm:time_to_first_token_seconds_sum'),
    ttftCount: sum('vllm:time_to_first_token_seconds_count'),
  };
}
