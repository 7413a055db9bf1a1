/*
 * W3C trace context (https://www.w3.org/TR/trace-context/) as the workflows' own tracer reads and
 * writes it (workflows/tracing.ts): the `traceparent` of a carrier, parsed and formatted as
 * OpenTelemetry's W3CTraceContextPropagator does, so that the client's and the activities'
 * OpenTelemetry SDK and the workflow sandbox speak one format without the SDK in the sandbox
 * (test/unit/trace-context.test.ts checks both directions against the SDK's propagator). And
 * span ids that are a pure function of a seed and a counter: a replay makes the same ids.
 */

/** What a span passes to its children: the W3C fields. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  /** W3C trace flags; bit 0: sampled. */
  traceFlags: number;
}

/** The propagator's pattern: version not ff, trace and parent ids not all zeros. */
const TRACE_PARENT =
  /^\s?((?!ff)[\da-f]{2})-((?![0]{32})[\da-f]{32})-((?![0]{16})[\da-f]{16})-([\da-f]{2})(-.*)?\s?$/;

/** A `traceparent` value's fields, or undefined where OpenTelemetry's propagator would ignore it. */
export function parseTraceParent(value: unknown): TraceParent | undefined {
  const traceParent = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof traceParent !== 'string') return undefined;
  const match = TRACE_PARENT.exec(traceParent);
  // Later versions may append fields; version 00 may not.
  if (!match || (match[1] === '00' && match[5])) return undefined;
  return { traceId: match[2]!, spanId: match[3]!, traceFlags: parseInt(match[4]!, 16) };
}

/** The `traceparent` a span's children receive (version 00). */
export function formatTraceParent({ traceId, spanId, traceFlags }: TraceParent): string {
  return `00-${traceId}-${spanId}-0${Number(traceFlags || 0).toString(16)}`;
}

export const SAMPLED = 1;

/** A child's flags under OpenTelemetry's default sampler (parent-based, always on): sampled or none. */
export function childTraceFlags(parent: TraceParent | undefined): number {
  return parent === undefined || parent.traceFlags & SAMPLED ? SAMPLED : 0;
}

/** MurmurHash3's finalizer: a bijection of 32-bit integers that spreads every input bit. */
function fmix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** MurmurHash3's 32-bit hash of a string's UTF-16 code units (good spread, no allocation). */
function murmur32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ text.length);
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** The seed's four 32-bit hashes, kept for the few seeds in use (a run makes all its ids from one). */
const seedWords = new Map<string, number[]>();
function wordsOf(seed: string): number[] {
  let words = seedWords.get(seed);
  if (!words) {
    if (seedWords.size >= 8) seedWords.clear();
    words = [1, 2, 3, 4].map((w) => murmur32(seed, Math.imul(0x9e3779b9, w)));
    seedWords.set(seed, words);
  }
  return words;
}

/**
 * `words` 32-bit words for the `n`th id of `seed`, as lowercase hex, never all zeros (W3C's invalid
 * id). Each word is a bijection of `n` (n < 2^32) for a given seed: a run's ids never repeat.
 */
function idOf(seed: string, n: number, words: number): string {
  const hashes = wordsOf(seed);
  let id = '';
  for (let w = 0; w < words; w++) id += hex8(fmix32((hashes[w]! ^ Math.imul(n + 1, 0x9e3779b9)) >>> 0));
  return /^0+$/.test(id) ? `${id.slice(0, -1)}1` : id;
}

/** The `n`th span id of a run seeded with `seed` (16 hex digits). */
export const spanIdOf = (seed: string, n: number): string => idOf(seed, n, 2);

/** The trace id of the `n`th span of a run seeded with `seed` when it has no parent (32 hex digits). */
export const traceIdOf = (seed: string, n: number): string => idOf(`trace:${seed}`, n, 4);
