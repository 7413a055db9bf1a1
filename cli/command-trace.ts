import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { SprintConfig } from '../config';
import { startTracing } from '../io/telemetry/tracing';
import { CliError } from './exit-codes';

/**
 * Runs a CLI command (`sprint ask`, `eval`, `curate`, `pipeline`, `train`) as one trace when
 * telemetry.traces.otlpEndpoint is set: a root span for the command, active while it runs, so the
 * Temporal client made inside (workers/connection.ts) carries its context into the workflow start
 * and the trace goes command -> workflow -> activities -> engine calls, as a request to `sprint
 * serve` does. Workers the command runs itself (ad-hoc pools, --workers) trace too. The spans are
 * flushed before the command returns: a CLI exits right after. Without an endpoint the command runs
 * as it is, and tracing's modules never load. Make the command's client inside `run`.
 */
export async function tracedCommand<T>(
  config: SprintConfig,
  command: string,
  attributes: Attributes,
  run: () => Promise<T>,
): Promise<T> {
  if (!config.telemetry.traces.otlpEndpoint) return run();
  const tracing = startTracing(config.telemetry.traces);
  if (!tracing) return run();
  const span = tracing.tracer.startSpan(`sprint ${command}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'sprint.command': command, ...attributes },
  });
  try {
    return await context.with(trace.setSpan(context.active(), span), run);
  } catch (err) {
    // The exit code only: a command's message may quote an engine's error text.
    span.setStatus({ code: SpanStatusCode.ERROR });
    if (err instanceof CliError) span.setAttribute('sprint.exit_code', err.exitCode);
    throw err;
  } finally {
    span.end();
    await tracing.shutdown().catch(() => undefined);
  }
}
