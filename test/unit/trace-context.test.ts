import fc from 'fast-check';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  parseTraceParent as otelParseTraceParent,
  TraceState,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  extractContextFromHeaders,
  headersWithContext,
  TRACE_HEADER as SDK_TRACE_HEADER,
} from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import {
  childTraceFlags,
  formatTraceParent,
  parseTraceParent,
  spanIdOf,
  traceIdOf,
} from '../../core/telemetry/trace-context';
import { carrierFor, parentFromHeader, TRACE_HEADER } from '../../workflows/tracing';

/*
 * The workflows' tracer (workflows/tracing.ts) writes and reads span contexts without the
 * OpenTelemetry SDK: what it writes must be what the SDK's activity interceptor reads, and what the
 * SDK's client interceptor writes what it reads. Checked here against the SDK's own propagation
 * (the W3C and baggage propagators OpenTelemetry registers by default, Temporal's header helpers).
 */
const hex = (length: number) =>
  fc
    .array(fc.constantFrom(...'0123456789abcdef'), { minLength: length, maxLength: length })
    .map((cs) => cs.join(''))
    .filter((s) => !/^0+$/.test(s));
const spanContexts = fc.record({
  traceId: hex(32),
  spanId: hex(16),
  traceFlags: fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED),
  traceState: fc.option(fc.constantFrom('vendor=value', 'a=1,b=2', 'congo=t61rcWkgMzE'), { nil: undefined }),
});

describe('trace context in the workflow sandbox, against OpenTelemetry and Temporal', () => {
  beforeAll(() => {
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    propagation.disable();
    context.disable();
  });

  it("names the SDK's trace header", () => {
    expect(TRACE_HEADER).toBe(SDK_TRACE_HEADER);
  });

  it("reads the header Temporal's client interceptor writes (trace and span ids, flags, state, baggage)", () => {
    fc.assert(
      fc.property(spanContexts, ({ traceState, ...ids }) => {
        const spanContext: SpanContext = {
          ...ids,
          isRemote: false,
          ...(traceState ? { traceState: new TraceState(traceState) } : {}),
        };
        let ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext);
        ctx = propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'blue' } }));
        const headers = context.with(ctx, () => headersWithContext({}));
        expect(parentFromHeader(headers[SDK_TRACE_HEADER])).toEqual({
          ...ids,
          ...(traceState ? { traceState } : {}),
          baggage: 'tenant=blue',
        });
      }),
    );
  });

  it("writes the header Temporal's activity interceptor reads, as the run's child", () => {
    fc.assert(
      fc.property(spanContexts, fc.string(), (parent, runId) => {
        const child = {
          traceId: parent.traceId,
          spanId: spanIdOf(runId, 3),
          traceFlags: childTraceFlags(parent),
          ...(parent.traceState ? { traceState: parent.traceState } : {}),
          baggage: 'tenant=blue',
        };
        const headers = { [TRACE_HEADER]: defaultPayloadConverter.toPayload(carrierFor(child)) };
        const ctx = extractContextFromHeaders(headers)!;
        const read = trace.getSpanContext(ctx)!;
        expect({ ...read, traceState: read.traceState?.serialize() }).toEqual({
          traceId: child.traceId,
          spanId: child.spanId,
          traceFlags: parent.traceFlags,
          isRemote: true,
          traceState: parent.traceState,
        });
        expect(propagation.getBaggage(ctx)?.getEntry('tenant')?.value).toBe('blue');
      }),
    );
  });

  it("formats traceparent as OpenTelemetry's propagator does", () => {
    fc.assert(
      fc.property(spanContexts, ({ traceId, spanId, traceFlags }) => {
        const carrier: Record<string, string> = {};
        propagation.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags }), carrier);
        expect(formatTraceParent({ traceId, spanId, traceFlags })).toBe(carrier.traceparent);
      }),
    );
  });

  it("accepts and rejects traceparent values as OpenTelemetry's propagator does", () => {
    const valid = spanContexts.map(({ traceId, spanId, traceFlags }) =>
      formatTraceParent({ traceId, spanId, traceFlags }),
    );
    // Valid values mutated: a character changed, a field cut, a suffix added, the version changed.
    const values = fc.oneof(
      valid,
      fc.tuple(valid, fc.nat(54), fc.constantFrom('0', 'f', 'F', '-', 'x', ' ')).map(([v, i, c]) => {
        const at = i % v.length;
        return v.slice(0, at) + c + v.slice(at + 1);
      }),
      fc.tuple(valid, fc.nat(54)).map(([v, i]) => v.slice(0, i % v.length)),
      fc.tuple(valid, fc.constantFrom('-01', '-', 'x', ' ')).map(([v, s]) => v + s),
      fc.tuple(valid, fc.constantFrom('01', 'ff', 'cc')).map(([v, ver]) => ver + v.slice(2)),
      fc.string(),
    );
    fc.assert(
      fc.property(values, (value) => {
        expect(parseTraceParent(value) ?? null).toEqual(otelParseTraceParent(value));
      }),
    );
    expect(parseTraceParent('00-00000000000000000000000000000000-0000000000000001-01')).toBeUndefined();
    expect(parseTraceParent(['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'])?.spanId).toBe(
      'b7ad6b7169203331',
    );
  });

  it('takes no parent from a header without a valid traceparent, and a new trace from none', () => {
    const payload = (carrier: unknown) => defaultPayloadConverter.toPayload(carrier);
    expect(parentFromHeader(undefined)).toEqual({});
    expect(parentFromHeader(payload({ traceparent: 'nonsense', baggage: 'k=v' }))).toEqual({
      baggage: 'k=v',
    });
    expect(parentFromHeader(payload('not a carrier'))).toEqual({});
    expect(childTraceFlags(undefined)).toBe(TraceFlags.SAMPLED);
  });
});

describe("the workflows' span ids", () => {
  it('are a function of the run and the count: a replay makes the same ids', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), (seed, n) => {
        expect(spanIdOf(seed, n)).toBe(spanIdOf(seed, n));
        expect(traceIdOf(seed, n)).toBe(traceIdOf(seed, n));
      }),
    );
  });

  it('are valid W3C ids (lowercase hex, not all zeros)', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), (seed, n) => {
        expect(spanIdOf(seed, n)).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
        expect(traceIdOf(seed, n)).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
      }),
    );
  });

  it('differ across the spans of a run and across runs', () => {
    const runs = ['0193a8f2-5d4e-7c1a-9b2f-3e4d5c6b7a81', '0193a8f2-5d4e-7c1a-9b2f-3e4d5c6b7a82'];
    const ids = runs.flatMap((run) => Array.from({ length: 5000 }, (_, n) => spanIdOf(run, n)));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("children keep a sampled parent's sampling and drop the other flags", () => {
    const parent = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    expect(childTraceFlags({ ...parent, traceFlags: 0x01 })).toBe(TraceFlags.SAMPLED);
    expect(childTraceFlags({ ...parent, traceFlags: 0x03 })).toBe(TraceFlags.SAMPLED);
    expect(childTraceFlags({ ...parent, traceFlags: 0x00 })).toBe(TraceFlags.NONE);
    expect(childTraceFlags({ ...parent, traceFlags: 0x02 })).toBe(TraceFlags.NONE);
  });
});
