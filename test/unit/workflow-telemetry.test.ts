import * as otelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { TRACE_HEADER as sdkTraceHeader } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import {
  TRACE_HEADER,
  tracedInboundMethods,
  tracedInternalsMethods,
  tracedOutboundMethods,
} from '../../workflows/telemetry';
import { WorkflowTracer } from '../../workflows/tracing';

/*
 * workflows/telemetry.ts names the trace header and the methods of Temporal's workflow
 * interceptors itself, so that an untraced workflow never loads them: the names must be the SDK's.
 * Sprint's tracer (workflows/tracing.ts) must trace what they trace.
 */
const methodsOf = (cls: { prototype: object }) =>
  Object.getOwnPropertyNames(cls.prototype)
    .filter((name) => name !== 'constructor')
    .sort();

describe("the workflows' tracing interceptors", () => {
  it("name the SDK's trace header", () => {
    expect(TRACE_HEADER).toBe(sdkTraceHeader);
  });

  it("forward every method of the SDK's interceptors", () => {
    expect([...tracedInboundMethods].sort()).toEqual(methodsOf(otelWorkflow.OpenTelemetryInboundInterceptor));
    expect([...tracedOutboundMethods].sort()).toEqual(
      methodsOf(otelWorkflow.OpenTelemetryOutboundInterceptor),
    );
    expect([...tracedInternalsMethods].sort()).toEqual(
      methodsOf(otelWorkflow.OpenTelemetryInternalsInterceptor),
    );
  });

  it("are matched by sprint's tracer (but metric tags, which the SDK's pass through)", () => {
    const tracer = new WorkflowTracer('run');
    expect(Object.keys(tracer.inbound).sort()).toEqual(
      methodsOf(otelWorkflow.OpenTelemetryInboundInterceptor),
    );
    expect(Object.keys(tracer.outboundInterceptor).sort()).toEqual(
      methodsOf(otelWorkflow.OpenTelemetryOutboundInterceptor).filter((m) => m !== 'getMetricTags'),
    );
  });
});
