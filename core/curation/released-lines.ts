/*
 * Trace lines exactly as the released SPRINT pipeline numbered them for its extractor
 * (docs/sprint-format.md#released-line-numbering). Pure. Its GPT-4o extractions name line ranges ("Lines 3-5") of this numbering, so
 * importing them (`sprint curate import`) needs the same split, byte for byte; the platform's own
 * extractors use core/curation/lines.ts instead.
 *
 * The rule, restated from the released behaviour (a rule-based sentence splitter, no model):
 *   1. Pad the text with one space before and two after.
 *   2. Protect dots that do not end a sentence by marking them: "\n3. " (numbered lists), titles
 *      (Mr. St. Mrs. Ms. Dr.), web suffixes (.com ...), decimals (3.5), runs of dots (an ellipsis
 *      also ends the sentence unless a comma follows), Ph.D., single letters ("x. ", " e."), and
 *      acronyms (U.S.A.), with "Inc. He ..." style breaks kept.
 *   3. Every run of newlines ends a sentence (the newlines stay at the end of that sentence).
 *   4. A closing quote moves before the sentence's final . ! or ?.
 *   5. Every remaining . ? ! not directly followed by a newline ends a sentence.
 *   6. Sentences are stripped of spaces (not newlines); a trailing empty one is dropped, and the
 *      extraction numbering skips the empty ones. Line n is the n-th remaining sentence, from 1.
 * A range's text is its lines joined with a space, except after a line that ends in a newline,
 * then stripped: paragraph breaks survive inside plans and executions.
 */

const PRD = '<prd>';
const STOP = '<stop>';
const STARTERS =
  '(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\\s|She\\s|It\\s|They\\s|Their\\s|Our\\s|We\\s|But\\s|However\\s|That\\s|This\\s|Wherever)';

/** The released sentence split (see the rule above); empty sentences are kept, as it kept them. */
export function splitReleasedSentences(input: string): string[] {
  let t = ` ${input}  `;
  t = t.replace(/(\n\d+)\. /g, `$1${PRD} `);
  t = t.replace(/\n+/g, (m) => m + STOP);
  t = t.replace(/(Mr|St|Mrs|Ms|Dr)[.]/g, `$1${PRD}`);
  t = t.replace(/[.](com|net|org|io|gov|edu|me)/g, `${PRD}$1`);
  t = t.replace(/([0-9])[.]([0-9])/g, `$1${PRD}$2`);
  // The released code counts the comma into the run's length: "...," becomes four marks and a comma.
  t = t.replace(/\.{2,},/g, (m) => PRD.repeat(m.length) + ',');
  t = t.replace(/\.{2,}/g, (m) => PRD.repeat(m.length) + STOP);
  if (t.includes('Ph.D')) t = t.split('Ph.D.').join(`Ph${PRD}D${PRD}`);
  t = t.replace(/\s([A-Za-z])[.] /g, ` $1${PRD} `);
  t = t.replace(new RegExp(`([A-Z][.][A-Z][.](?:[A-Z][.])?) ${STARTERS}`, 'g'), `$1${STOP} $2`);
  t = t.replace(/([A-Za-z])[.]([A-Za-z])[.]([A-Za-z])[.]/g, `$1${PRD}$2${PRD}$3${PRD}`);
  t = t.replace(/([A-Za-z])[.]([A-Za-z])[.]/g, `$1${PRD}$2${PRD}`);
  t = t.replace(new RegExp(` (Inc|Ltd|Jr|Sr|Co)[.] ${STARTERS}`, 'g'), ` $1${STOP} $2`);
  t = t.replace(/ (Inc|Ltd|Jr|Sr|Co)[.]/g, ` $1${PRD}`);
  t = t.replace(/ ([A-Za-z])[.]/g, ` $1${PRD}`);
  if (t.includes('\u201d')) t = t.split('.\u201d').join('\u201d.');
  if (t.includes('"')) t = t.split('."').join('".');
  if (t.includes('!')) t = t.split('!"').join('"!');
  if (t.includes('?')) t = t.split('?"').join('"?');
  t = t.replace(/\.(?!\n)/g, `.${STOP}`);
  t = t.replace(/\?(?!\n)/g, `?${STOP}`);
  t = t.replace(/!(?!\n)/g, `!${STOP}`);
  t = t.split(PRD).join('.');
  const sentences = t.split(STOP).map((s) => s.replace(/^ +| +$/g, ''));
  if (sentences.length && sentences[sentences.length - 1] === '') sentences.pop();
  return sentences;
}

/** The numbered lines the released extractor saw: index 0 is line 1. */
export function releasedTraceLines(trace: string): string[] {
  return splitReleasedSentences(trace).filter((s) => s !== '' && s !== ' ');
}

/** How the released extractor saw the trace: `<Line n> text </Line n>` per line. */
export function releasedListing(lines: string[]): string {
  return lines.map((l, i) => `<Line ${i + 1}> ${l.replace(/\n+$/, '')} </Line ${i + 1}>\n`).join('');
}

export class LineRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LineRangeError';
  }
}

/** Text of lines a..b (1-based, inclusive), joined the released way; an impossible range throws. */
export function joinReleasedLines(lines: string[], range: [number, number]): string {
  const [a, b] = range;
  if (a > b) throw new LineRangeError(`range ${a}-${b} runs backwards`);
  if (a < 1 || b > lines.length)
    throw new LineRangeError(`range ${a}-${b} is outside lines 1-${lines.length}`);
  return lines
    .slice(a - 1, b)
    .map((l) => (l.endsWith('\n') ? l : `${l} `))
    .join('')
    .trim();
}

/**
 * The released final answer line of a solution: its sentences (whitespace-only ones dropped) from
 * the last one that holds "boxed" to the end, joined by newlines; without one, the last two.
 */
export function releasedFinalAnswer(solution: string): string {
  const sentences = splitReleasedSentences(solution).filter((s) => s.trim() !== '');
  let from = -1;
  sentences.forEach((s, i) => {
    if (s.includes('boxed')) from = i;
  });
  const kept = from >= 0 ? sentences.slice(from) : sentences.slice(-2);
  return kept.join('\n').trim();
}
