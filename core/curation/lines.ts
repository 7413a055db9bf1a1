/*
 * Step 1 of curation (docs/sprint-format.md#numbered-lines): split a trace into numbered lines (sentences). Pure.
 * Paragraph breaks are kept (a line knows its paragraph), display math stays one line, and
 * decimals such as 3.5 or abbreviations such as "e.g." do not split a sentence.
 */

export interface TraceLine {
  /** 1-based line number. */
  n: number;
  text: string;
  /** 0-based paragraph index. */
  paragraph: number;
}

const ABBREVIATIONS = /(?:\be\.g|\bi\.e|\bvs|\betc|\bcf|\bDr|\bMr|\bMrs|\bFig|\bEq)\.$/i;

function splitSentences(paragraph: string): string[] {
  const text = paragraph.replace(/\s*\n\s*/g, ' ').trim();
  if (!text) return [];
  const out: string[] = [];
  let start = 0;
  // A sentence ends at . ! ? (optionally followed by closing quotes/brackets/$) before whitespace.
  const re = /[.!?]["')\]$]*(?=\s+\S)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const end = m.index + m[0].length;
    const candidate = text.slice(start, end);
    if (ABBREVIATIONS.test(candidate)) continue;
    // Do not split inside inline or display math.
    const dollars = (candidate.match(/(?<!\\)\$/g) ?? []).length;
    const opens = (candidate.match(/\\\[|\\\(/g) ?? []).length;
    const closes = (candidate.match(/\\\]|\\\)/g) ?? []).length;
    if (dollars % 2 === 1 || opens > closes) continue;
    out.push(candidate.trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Splits a trace into paragraphs (blank lines) and sentences, numbered from 1. */
export function segmentTrace(trace: string): TraceLine[] {
  const paragraphs = trace
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const lines: TraceLine[] = [];
  paragraphs.forEach((p, paragraph) => {
    // Display math on its own lines stays a unit; other text splits into sentences.
    const blocks = p.split(/(\\\[[\s\S]*?\\\]|\$\$[\s\S]*?\$\$)/).filter((b) => b.trim());
    for (const block of blocks) {
      const isMath = /^\s*(\\\[|\$\$)/.test(block);
      for (const s of isMath ? [block.trim().replace(/\s*\n\s*/g, ' ')] : splitSentences(block)) {
        lines.push({ n: lines.length + 1, text: s, paragraph });
      }
    }
  });
  return lines;
}

/** Text of lines a..b (inclusive), one per line. */
export function linesText(lines: TraceLine[], range: [number, number] | null | undefined): string {
  if (!range) return '';
  return lines
    .filter((l) => l.n >= range[0] && l.n <= range[1])
    .map((l) => l.text)
    .join('\n');
}

/** The numbered listing given to an extraction model: `[n] sentence`. */
export function numberedListing(lines: TraceLine[]): string {
  return lines.map((l) => `[${l.n}] ${l.text}`).join('\n');
}
