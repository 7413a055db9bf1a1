import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * References into the docs stay valid: code comments cite docs/sprint-format.md#<heading> (never the
 * spec file outside the repository), and every link in README.md and docs/*.md reaches a file of
 * the repository and, when it names one, a heading of that file.
 */

const root = path.resolve(__dirname, '..', '..');

/** The spec file that lives outside the repository; written as a pattern so this file does not cite it. */
const OUTSIDE_SPEC = /SPRINT\.md/;
const SOURCE_FOLDERS = [
  'core',
  'io',
  'activities',
  'workflows',
  'workers',
  'cli',
  'serve',
  'config',
  'infra',
  'bench',
  'scripts',
  'test',
  'bin',
];
const SOURCE_FILE = /\.(ts|js|mjs|py|sh|ya?ml)$/;
/** `docs/<file>.md#<anchor>` as code comments and docs write it. */
const DOCS_REFERENCE = /\bdocs\/([\w.-]+\.md)#([\w-]+)/g;

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
export function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** A markdown text without its fenced code blocks (fences may be indented in list items). */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, '');
}

/** The anchors of a markdown file's headings, with GitHub's -1, -2 suffixes for repeats. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutCodeBlocks(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = githubSlug(m[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count ? `${slug}-${count}` : slug);
  }
  return anchors;
}

/** Targets of the inline links of a markdown text, outside code blocks and code spans. */
export function linkTargets(markdown: string): string[] {
  const prose = withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/**
 * What is wrong with one link of the markdown file `from` (a repository path), or undefined when
 * it resolves: the file must exist and a `#anchor` must be a heading of that file.
 */
export function linkProblem(
  from: string,
  target: string,
  readRepoFile: (repoPath: string) => string | undefined,
): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // http:, mailto:, ...
  const [file = '', anchor] = target.split('#', 2);
  const repoPath = file ? path.posix.normalize(path.posix.join(path.posix.dirname(from), file)) : from;
  if (repoPath.startsWith('..')) return `${from}: ${target} leaves the repository`;
  const text = readRepoFile(repoPath);
  if (text === undefined) return `${from}: ${target}: no file ${repoPath}`;
  if (anchor === undefined) return undefined;
  if (!repoPath.endsWith('.md')) return `${from}: ${target}: an anchor into a file that is not markdown`;
  return headingAnchors(text).has(anchor)
    ? undefined
    : `${from}: ${target}: ${repoPath} has no heading #${anchor}`;
}

/** Every `docs/<file>.md#<anchor>` in a text whose file or heading does not exist. */
export function docsReferenceProblems(
  from: string,
  text: string,
  readRepoFile: (repoPath: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(DOCS_REFERENCE)) {
    const target = `docs/${m[1]!}`;
    const doc = readRepoFile(target);
    const line = text.slice(0, m.index).split('\n').length;
    if (doc === undefined) problems.push(`${from}:${line}: ${m[0]}: no file ${target}`);
    else if (!headingAnchors(doc).has(m[2]!)) problems.push(`${from}:${line}: ${m[0]}: no heading #${m[2]!}`);
  }
  return problems;
}

function readRepoFile(repoPath: string): string | undefined {
  const file = path.join(root, repoPath);
  if (!fs.existsSync(file)) return undefined;
  return fs.statSync(file).isDirectory() ? '' : fs.readFileSync(file, 'utf8');
}

function trackedSourceFiles(): string[] {
  const run = spawnSync('git', ['ls-files', '-z', '--', ...SOURCE_FOLDERS], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ls-files failed: ${run.stderr}`);
  return run.stdout
    .split('\0')
    .filter((f) => SOURCE_FILE.test(f))
    .filter((f) => fs.existsSync(path.join(root, f)));
}

const markdownFiles = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('the helpers (each check can fail)', () => {
  // Written through D so that the scan of test/ below does not take these fixtures for references.
  const D = 'docs';
  const repo: Record<string, string> = {
    'README.md': `# Title\n\nsee [ops](${D}/ops.md#stuck-runs)\n`,
    'docs/ops.md': '# Ops\n\n## Stuck runs\n\n## Stuck runs\n\n```md\n## Not a heading\n```\n',
  };
  const read = (p: string) => repo[p];

  it('slugs headings as GitHub does', () => {
    expect(githubSlug('Upgrades and Worker Versioning')).toBe('upgrades-and-worker-versioning');
    expect(githubSlug('The OpenAI-compatible endpoint')).toBe('the-openai-compatible-endpoint');
    expect(githubSlug('Speed (`bench:trainer`)')).toBe('speed-benchtrainer');
    expect(githubSlug('1. Numbered, step_two')).toBe('1-numbered-step_two');
    expect([...headingAnchors(repo['docs/ops.md']!)]).toEqual(['ops', 'stuck-runs', 'stuck-runs-1']);
  });

  it('finds links outside code, and reports a missing file or heading', () => {
    expect(linkTargets('[a](x.md) `[b](y.md)`\n```\n[c](z.md)\n```\n[d](https://e.org "t")')).toEqual([
      'x.md',
      'https://e.org',
    ]);
    expect(linkProblem('README.md', `${D}/ops.md#stuck-runs`, read)).toBeUndefined();
    expect(linkProblem('docs/ops.md', '#stuck-runs-1', read)).toBeUndefined();
    expect(linkProblem('docs/ops.md', '../README.md#title', read)).toBeUndefined();
    expect(linkProblem('docs/ops.md', 'ops.md#not-a-heading', read)).toMatch(/no heading #not-a-heading/);
    expect(linkProblem('README.md', 'docs/gone.md', read)).toMatch(/no file docs\/gone\.md/);
    expect(linkProblem('README.md', 'https://temporal.io', read)).toBeUndefined();
  });

  it('reports docs references to a missing file or heading, with the line', () => {
    const code = `// (${D}/ops.md#stuck-runs)\n// ${D}/ops.md#gone and ${D}/none.md#x\n`;
    expect(docsReferenceProblems('core/a.ts', code, read)).toEqual([
      `core/a.ts:2: ${D}/ops.md#gone: no heading #gone`,
      `core/a.ts:2: ${D}/none.md#x: no file docs/none.md`,
    ]);
  });
});

describe('references into the docs', () => {
  const sources = trackedSourceFiles();

  it('scans the tracked sources (the file list itself works)', () => {
    expect(sources).toEqual(expect.arrayContaining(['core/format/plan.ts', 'workflows/session/index.ts']));
    expect(markdownFiles).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/architecture.md',
        'docs/sprint-format.md',
        'docs/operations.md',
      ]),
    );
  });

  it('no source file cites the spec file outside the repository (cite docs/sprint-format.md#...)', () => {
    const citing = sources.flatMap((file) =>
      fs
        .readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE_SPEC.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(citing).toEqual([]);
  });

  it('every docs/<file>.md#<anchor> in sources and docs names an existing heading', () => {
    const problems = [...sources, ...markdownFiles].flatMap((file) =>
      docsReferenceProblems(file, fs.readFileSync(path.join(root, file), 'utf8'), readRepoFile),
    );
    expect(problems).toEqual([]);
  });

  it.each(markdownFiles.map((f) => [f]))('every relative link in %s resolves', (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const problems = linkTargets(text).flatMap((target) => linkProblem(file, target, readRepoFile) ?? []);
    expect(problems).toEqual([]);
  });
});
