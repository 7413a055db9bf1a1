import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../io/telemetry/tracing';
import { withOwnControlQueue, writeConfigFile } from '../helpers/config';
import { sequentialReply, writeSumProblems } from '../helpers/eval-scripts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';
import { expectSessionCallSpans } from '../helpers/session-trace';
import { startStack, type TestStack } from '../helpers/stack';

/*
 * A CLI command is one trace when an OTLP endpoint is configured: the command's root span, the
 * workflow it starts, every activity and each engine call. The CLI runs as a user runs it (a child
 * process) and exports over OTLP/HTTP to a collector double; the control worker of this test's
 * process keeps its spans in memory. A trace that crosses the two processes is put together from
 * both, by ids, as a tracing backend would.
 */
const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'sprint.js');

describe('traces: from a CLI command through its workflow to each engine call', () => {
  const memory = new InMemorySpanExporter();
  let receiver: OtlpReceiver;
  let stack: TestStack | undefined;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // Before the control worker is made: it picks up the process's tracing then.
    startTracing({ serviceName: 'sprint-test-workers' }, [new SimpleSpanProcessor(memory)]);
    // The config names no engine: `ask --planner URL` brings an ad-hoc pool, served by the CLI itself.
    stack = await startStack({
      engines: ['adhoc'],
      config: { telemetry: { traces: { otlpEndpoint: receiver.url, serviceName: 'sprint-cli' } } },
      workers: ['control'],
    });
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  /** Every span both processes recorded, in the collector's shape. */
  const allSpans = (): ReceivedSpan[] => [
    ...receiver.spans(),
    ...memory.getFinishedSpans().map((s) => ({
      name: s.name,
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
      service: 'sprint-test-workers',
      attributes: s.attributes as ReceivedSpan['attributes'],
    })),
  ];

  /** The trace of the command's root span: its spans, and lookups by name and parent. */
  const traceOf = (command: string) => {
    const roots = receiver.spans().filter((s) => s.name === command);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    const spans = allSpans().filter((s) => s.traceId === root.traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    return {
      root,
      named: (name: string) => spans.filter((s) => s.name === name),
      parentOf: (s: ReceivedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined),
    };
  };

  it('sprint ask: command -> workflow start -> run -> activities -> engine calls', async () => {
    stack!.engine.setScript(sprintScript(threeRoundScenario()));
    const { stdout } = await run(process.execPath, [
      bin,
      '--config',
      stack!.configFile,
      'ask',
      'What is 1+4+9+16?',
      '--planner',
      stack!.engine.baseUrl,
      '--id',
      'cli-trace-ask',
    ]);
    expect(stdout).toContain('answer: The sum of the first four squares is \\boxed{30}.');

    const { root, named, parentOf } = traceOf('sprint ask');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.service).toBe('sprint-cli');
    expect(root.attributes).toMatchObject({ 'sprint.command': 'ask', 'sprint.method': 'sprint' });
    const [start] = named('StartWorkflow:sessionWorkflow');
    expect(parentOf(start!)).toBe(root);
    // The run is the control worker's (this process), under the CLI's start.
    const [runSpan] = named('RunWorkflow:sessionWorkflow');
    expect(runSpan!.service).toBe('sprint-test-workers');
    expect(parentOf(runSpan!)).toBe(start);
    // Each model call ran in the CLI's ad-hoc llm worker, scheduled by the run.
    const { activities } = expectSessionCallSpans({ named, parentOf }, runSpan!);
    for (const activity of activities) expect(activity.service).toBe('sprint-cli');
  });

  it('sprint eval --workers: command -> evaluation -> each problem child -> activity -> engine call', async () => {
    stack!.engine.setScript(sequentialReply);
    // A control queue of its own: the evaluation runs in the CLI's --workers, not this process's.
    const configFile = writeConfigFile(withOwnControlQueue(stack!.config, 'cli'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-eval-traces-'));
    const { stdout } = await run(process.execPath, [
      bin,
      '--config',
      configFile,
      'eval',
      '--benchmark',
      'math500',
      '--method',
      'sequential',
      '--endpoint',
      stack!.engine.baseUrl,
      '--model',
      stack!.engine.model,
      '--workers',
      '--data',
      writeSumProblems(2),
      '--out',
      out,
      '--id',
      `traces-${Date.now()}`,
      '--json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ summary: { problems: 2 } });

    const { root, named, parentOf } = traceOf('sprint eval');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes).toMatchObject({ 'sprint.method': 'sequential', 'sprint.benchmark': 'math500' });
    const [start] = named('StartWorkflow:evaluationWorkflow');
    expect(parentOf(start!)).toBe(root);
    const [evaluation] = named('RunWorkflow:evaluationWorkflow');
    expect(parentOf(evaluation!)).toBe(start);
    const problems = named('RunWorkflow:sequentialWorkflow');
    expect(problems).toHaveLength(2);
    for (const problem of problems) {
      const child = parentOf(problem)!;
      expect(child.name).toBe('StartChildWorkflow:sequentialWorkflow');
      expect(parentOf(child)).toBe(evaluation);
    }
    // Every engine call is under an activity run that one of the problems scheduled.
    const engineCalls = named('engine POST /v1/completions');
    expect(engineCalls).toHaveLength(2);
    for (const call of engineCalls) {
      const activity = parentOf(call)!;
      expect(activity.name).toMatch(/^RunActivity:/);
      expect(problems).toContain(parentOf(parentOf(activity)!));
    }
  });
});
