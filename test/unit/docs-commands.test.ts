import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Command, CommanderError } from 'commander';
import { parse as parseShell } from 'shell-quote';
import { renderModelCard } from '../../core/model-card';
import { buildProgram } from '../../cli/main';

/**
 * Every `sprint ...` command the user reads (README.md, docs/*.md, the model card the publish step
 * renders) must parse with the real CLI: the subcommand exists, and so does every flag. Actions are replaced
 * by no-ops, so nothing runs; only commander's parsing is exercised.
 */

const root = path.resolve(__dirname, '..', '..');
/** How a command starts in the docs: `npx sprint` or `node bin/sprint.js` anywhere, a bare `sprint` first. */
const COMMAND = /(?:^(?:\$ )?sprint|(?:^|\s)(?:npx sprint|node bin\/sprint\.js))\s+(\S.*)$/s;

/** The sprint invocations in a markdown text: shell lines of fenced blocks, and inline code spans. */
export function sprintCommands(markdown: string): string[] {
  const found: string[] = [];
  const add = (text: string) => {
    const m = COMMAND.exec(text.replace(/\s+/g, ' ').trim());
    if (m?.[1]) found.push(m[1]);
  };
  // Fences may be indented (a code block inside a list item).
  const prose = markdown.replace(
    /^[ \t]*```([^\n]*)\n([\s\S]*?)^[ \t]*```/gm,
    (_all, info: string, block: string) => {
      // A `text` block is a program's output (`sprint demo: ...` lines), not commands to run.
      if (info.trim() === 'text') return '';
      // shell continuation lines join their next line
      for (const line of block.replace(/\\\n/g, ' ').split('\n')) {
        if (!line.trim().startsWith('#')) add(line);
      }
      return '';
    },
  );
  for (const span of prose.matchAll(/`([^`]+)`/g)) add(span[1]!);
  return found;
}

/**
 * Command-line words of a documented command. Synopsis notation becomes one concrete choice:
 * `[--pool P]` -> `--pool P`, `(--traces F | --generate N)` -> `--traces F`, `<a|b>` stays a word.
 */
export function argvOf(command: string): string[] {
  const synopsis = command
    .replace(/\(([^()|]*)\|[^()]*\)/g, '$1') // first alternative of a group
    .replace(/(\S)\[([^\]\s]*)\]/g, '$1$2') // optional part of a word: OWNER/NAME[:PATH]
    .replace(/\[([^\]]*)\]/g, ' $1 ') // optional parts are given
    .replace(/<[^>]*>/g, (p) => `'${p}'`); // placeholders are words, not redirections
  const words: string[] = [];
  for (const entry of parseShell(synopsis)) {
    if (typeof entry === 'string') words.push(entry);
    else if ('comment' in entry)
      break; // `# what it does`
    else if ('op' in entry && entry.op === 'glob') words.push(entry.pattern);
    else break; // | && ; > end the sprint command
  }
  return words;
}

/** The real program, with every action a no-op and errors thrown instead of printed. */
function parsingProgram(): { program: Command; errors: string[] } {
  const program = buildProgram();
  const errors: string[] = [];
  const visit = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: () => undefined,
      writeErr: (s) => errors.push(s),
      outputError: () => undefined,
    });
    if (cmd !== program) cmd.action(() => undefined);
    cmd.commands.forEach(visit);
  };
  visit(program);
  return { program, errors };
}

/** Undefined when the command parses; otherwise commander's complaint. */
async function parseProblem(argv: string[]): Promise<string | undefined> {
  const { program } = parsingProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return undefined;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? undefined : `${err.code}: ${err.message}`;
    throw err;
  }
}

const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const docsDir = path.join(root, 'docs');
const docs = fs
  .readdirSync(docsDir)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => ({ file: `docs/${name}`, text: fs.readFileSync(path.join(docsDir, name), 'utf8') }));
const card = renderModelCard('me/sprint-7b', { baseModel: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B' });

describe('documented sprint commands parse with the real CLI', () => {
  const fromReadme = sprintCommands(readme);
  const fromCard = sprintCommands(card);
  const fromDocs = docs.flatMap(({ file, text }) => sprintCommands(text).map((c) => [file, c] as const));

  it('finds the commands (the extraction itself works)', () => {
    expect(fromReadme.length).toBeGreaterThanOrEqual(25);
    expect(fromReadme).toContain('dev');
    expect(fromReadme.some((c) => c.startsWith('ask --planner http://127.0.0.1:8000/v1'))).toBe(true);
    expect(fromCard.some((c) => c.startsWith('ask '))).toBe(true);
    expect(docs.map((d) => d.file)).toContain('docs/operations.md');
    expect(fromDocs.some(([file, c]) => file === 'docs/operations.md' && c.startsWith('status'))).toBe(true);
    // a code block indented inside a list item is a block, not the start of an inline span
    expect(sprintCommands('- step:\n\n  ```bash\n  sprint dev\n  ```\n\n- then `sprint status`\n')).toEqual([
      'dev',
      'status',
    ]);
    expect(argvOf('worker <control|llm> [--pool P] [--replica R]')).toEqual([
      'worker',
      '<control|llm>',
      '--pool',
      'P',
      '--replica',
      'R',
    ]);
    expect(argvOf('ask "What is 2^10 - 1?" --planner http://x/v1   # a comment')).toEqual([
      'ask',
      'What is 2^10 - 1?',
      '--planner',
      'http://x/v1',
    ]);
    expect(argvOf('pipeline (--traces F | --generate N) --repo r')).toEqual([
      'pipeline',
      '--traces',
      'F',
      '--repo',
      'r',
    ]);
  });

  it('rejects what the CLI does not have (the check can fail)', async () => {
    await expect(parseProblem(['ask', 'q', '--no-such-flag'])).resolves.toMatch(/unknownOption/);
    await expect(parseProblem(['frobnicate'])).resolves.toMatch(/unknownCommand/);
    await expect(parseProblem(['eval', 'compare', 'a', 'b', '--nope'])).resolves.toMatch(/unknownOption/);
    await expect(parseProblem(['ask', 'q', '--planner', 'http://x/v1'])).resolves.toBeUndefined();
  });

  it.each(fromReadme.map((c) => [c]))('README: sprint %s', async (command) => {
    await expect(parseProblem(argvOf(command))).resolves.toBeUndefined();
  });

  it.each(fromDocs)('%s: sprint %s', async (_file, command) => {
    await expect(parseProblem(argvOf(command))).resolves.toBeUndefined();
  });

  it.each(fromCard.map((c) => [c]))('model card: sprint %s', async (command) => {
    await expect(parseProblem(argvOf(command))).resolves.toBeUndefined();
  });
});
