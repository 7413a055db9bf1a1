import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { type Command, CommanderError, type Option } from 'commander';
import { createTrainingActivities } from '../../activities/training';
import { buildProgram } from '../../cli/main';
import { ConfigError, parseConfig } from '../../config';
import { trainingProfiles } from '../../config/schema/training-profiles';
import {
  benchmarkNames,
  benchmarkRegistry,
  problemsFromRows,
  type BenchmarkName,
} from '../../core/benchmarks';
import { oneOf, unknownName, UnknownNameError } from '../../core/closed-set';
import { extractorKinds, sampleFormats } from '../../core/curation/names';
import { executorPromptTail, executorStrategies, type ExecutorStrategy } from '../../core/format';
import { graderNames } from '../../core/grading/graders';
import { methodNames, sessionMethodNames } from '../../core/method-result';
import { chatRequestSchema } from '../../core/serve/request-schema';
import { launcherKinds } from '../../core/training';
import { loadBenchmark } from '../../io/evaluation/benchmarks';

/*
 * Every closed set is one list: the schemas, the CLI's flags and the readers take it from there,
 * and a name outside it is refused wherever it comes in, with the names that exist.
 */

const listed = (known: readonly string[]) => new RegExp(`known: ${known.join(', ')}`);

/** The `sprint` program with errors thrown instead of printed and actions that do nothing. */
function quietProgram(): Command {
  const program = buildProgram();
  const visit = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    if (cmd !== program) cmd.action(() => undefined);
    cmd.commands.forEach(visit);
  };
  visit(program);
  return program;
}

/** commander's message for a command line, or undefined when it parses. */
async function parseError(argv: string[]): Promise<string | undefined> {
  try {
    await quietProgram().parseAsync(argv, { from: 'user' });
    return undefined;
  } catch (err) {
    if (err instanceof CommanderError) return err.message;
    throw err;
  }
}

function optionOf(commandPath: string[], flag: string): Option {
  let cmd = buildProgram();
  for (const name of commandPath) {
    const sub = cmd.commands.find((c) => c.name() === name);
    if (!sub) throw new Error(`no command ${commandPath.join(' ')}`);
    cmd = sub;
  }
  const option = cmd.options.find((o) => o.long === flag);
  if (!option) throw new Error(`no option ${flag} on ${commandPath.join(' ')}`);
  return option;
}

describe('closed-set helpers', () => {
  it('an unknown name is an error naming what it is, the name given and every known one', () => {
    expect(() => oneOf('launcher', 'slurm', launcherKinds)).toThrow(
      'unknown launcher "slurm"; known: local, docker, kubernetes',
    );
    expect(() => oneOf('launcher', undefined, launcherKinds)).toThrow(UnknownNameError);
    expect(oneOf('launcher', 'docker', launcherKinds)).toBe('docker');
  });

  it('an exhaustive switch refuses at run time a value that got past the types', () => {
    const label = (s: ExecutorStrategy): string => {
      switch (s) {
        case 'shared-prefix':
          return 'full plan';
        case 'reorder':
          return 'own prompt first';
        default:
          return unknownName('executor strategy', s, executorStrategies);
      }
    };
    expect(label('reorder')).toBe('own prompt first');
    expect(() => label('fanout' as ExecutorStrategy)).toThrow(listed(executorStrategies));
  });

  it('a switch that misses a case does not compile (checked by tsc)', () => {
    const partial = (s: ExecutorStrategy): string => {
      switch (s) {
        case 'reorder':
          return 'own prompt first';
        default:
          // @ts-expect-error 'shared-prefix' is not handled, so `s` is not never here
          return unknownName('executor strategy', s, executorStrategies);
      }
    };
    expect(() => partial('shared-prefix')).toThrow(UnknownNameError);
  });
});

describe('benchmarks', () => {
  it('the registry has exactly the benchmark names, and each reader makes problems of its own benchmark', () => {
    expect(Object.keys(benchmarkRegistry)).toEqual([...benchmarkNames]);
    const rows: Record<BenchmarkName, Record<string, unknown>> = {
      math500: { problem: 'What is 1 + 1?', answer: '2', unique_id: 'm1' },
      aime2024: { problem: 'What is 2 + 2?', answer: '4', id: 60 },
      gpqa: {
        Question: 'Which is a noble gas?',
        'Correct Answer': 'Neon',
        'Incorrect Answer 1': 'Iron',
        'Incorrect Answer 2': 'Sodium',
        'Incorrect Answer 3': 'Carbon',
      },
      countdown: { nums: [3, 5, 7], target: 22 },
    };
    for (const name of benchmarkNames) {
      const problem = benchmarkRegistry[name].read(rows[name], `${name}:1`, { index: 0 });
      expect(problem.benchmark).toBe(name);
      expect(problem.target.kind).toBe(benchmarkRegistry[name].answerKind);
    }
  });

  it('an unknown benchmark is an error naming the known ones, not a Countdown read', () => {
    // a record the Countdown reader would take: before the registry, any unknown name fell through to it
    const rows = [{ row: { nums: [3, 5, 7], target: 22 }, where: 'x.jsonl:1' }];
    expect(() => problemsFromRows('countdwon' as BenchmarkName, rows)).toThrow(
      'unknown benchmark "countdwon"; known: math500, aime2024, gpqa, countdown',
    );
    expect(problemsFromRows('countdown', rows).problems).toHaveLength(1);
  });

  it('loading an unknown benchmark names the known ones before any file is read', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-closed-')), 'cd.jsonl');
    fs.writeFileSync(file, '{"nums": [3, 5, 7], "target": 22}\n');
    const config = parseConfig({});
    await expect(
      loadBenchmark({ benchmark: 'aime' as BenchmarkName, dataFile: file, config }),
    ).rejects.toThrow(listed(benchmarkNames));
    await expect(loadBenchmark({ benchmark: 'countdown', dataFile: file, config })).resolves.toMatchObject({
      problems: [{ benchmark: 'countdown' }],
    });
  });
});

describe('methods', () => {
  it('a serving request naming an unknown method is refused with the known ones', () => {
    const res = chatRequestSchema.safeParse({
      model: 'sprint',
      messages: [{ role: 'user', content: 'q' }],
      sprint_method: 'tree-of-thought',
    });
    expect(res.success).toBe(false);
    const message = res.error!.issues.map((i) => i.message).join('; ');
    for (const m of methodNames) expect(message).toContain(`"${m}"`);
  });

  it('the CLI refuses an unknown method, naming the known ones', async () => {
    await expect(parseError(['eval', '--benchmark', 'gpqa', '--method', 'tot'])).resolves.toContain(
      `Allowed choices are ${methodNames.join(', ')}.`,
    );
    await expect(parseError(['ask', 'q', '--mode', 'parallel'])).resolves.toContain(
      `Allowed choices are ${sessionMethodNames.join(', ')}.`,
    );
  });
});

describe('executor strategies', () => {
  it('the config refuses an unknown strategy, naming the known ones', () => {
    let problems: string[] = [];
    try {
      parseConfig({ session: { executorStrategy: 'fanout' } });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^session\.executorStrategy: /);
    for (const s of executorStrategies) expect(problems[0]).toContain(s);
  });

  it('the CLI and the prompt builder refuse an unknown strategy, naming the known ones', async () => {
    await expect(parseError(['ask', 'q', '--strategy', 'fanout'])).resolves.toContain(
      `Allowed choices are ${executorStrategies.join(', ')}.`,
    );
    const plan = { phase: 1, text: '<prompt_1.1>a</prompt_1.1>' };
    expect(() => executorPromptTail(plan, 1, 'fanout' as ExecutorStrategy)).toThrow(
      listed(executorStrategies),
    );
  });
});

describe('launchers', () => {
  it('a training input naming an unknown launcher fails for good, naming the known ones', async () => {
    const acts = createTrainingActivities({ training: parseConfig({}).training, artifactsRoot: '/data' });
    const run = new MockActivityEnvironment().run(acts.runTrainingJob, {
      runId: 'r',
      datasetDir: '/data/ds',
      launcher: 'slurm' as never,
    });
    await expect(run).rejects.toMatchObject({
      type: 'BadTrainingInput',
      nonRetryable: true,
      message: 'unknown launcher of the training input "slurm"; known: local, docker, kubernetes',
    });
  });
});

describe('the CLI takes its choices from the lists', () => {
  it.each([
    [['eval'], '--benchmark', benchmarkNames],
    [['eval'], '--method', methodNames],
    [['eval', 'score'], '--benchmark', benchmarkNames],
    [['eval', 'score'], '--grader', graderNames],
    [['pipeline'], '--benchmark', benchmarkNames],
    [['pipeline'], '--method', methodNames],
    [['pipeline'], '--launcher', launcherKinds],
    [['pipeline'], '--extractor', extractorKinds],
    [['train'], '--launcher', launcherKinds],
    [['train'], '--profile', trainingProfiles],
    [['ask'], '--mode', sessionMethodNames],
    [['ask'], '--strategy', executorStrategies],
    [['curate'], '--extractor', extractorKinds],
    [['curate', 'pack'], '--format', sampleFormats],
  ] as const)('sprint %j %s', (commandPath, flag, list) => {
    expect(optionOf([...commandPath], flag).argChoices).toEqual([...list]);
  });

  it('an unknown benchmark on the command line names the known ones', async () => {
    await expect(parseError(['eval', 'score', '--benchmark', 'aime'])).resolves.toContain(
      `Allowed choices are ${benchmarkNames.join(', ')}.`,
    );
  });
});
