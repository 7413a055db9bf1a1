/*
 * Answer extraction from model output (pure). Every function returns null when the text holds no
 * answer of the asked shape, so callers can record "no answer" instead of guessing.
 */

/** Reads a brace group starting at `open` (which must be `{`); returns its content and the index after `}`. */
export function readBraceGroup(text: string, open: number): { content: string; end: number } | null {
  if (text[open] !== '{') return null;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++; // an escaped character (\{ or \}) never opens or closes a group
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return { content: text.slice(open + 1, i), end: i + 1 };
    }
  }
  return null;
}

/** Contents of every `\boxed{...}` (and `\fbox{...}`, `\boxed 5`), in order, nested braces kept. */
export function allBoxed(text: string): string[] {
  const out: string[] = [];
  const re = /\\(?:boxed|fbox)\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const at = m.index + m[0].length;
    if (text[at] === '{') {
      const group = readBraceGroup(text, at);
      if (group) {
        out.push(group.content.trim());
        re.lastIndex = group.end;
      }
    } else {
      // `\boxed 5` (no braces): the next token up to a space or `$`
      const bare = /^[^\s$]+/.exec(text.slice(at));
      if (bare) out.push(bare[0]);
    }
  }
  return out;
}

/** The last `\boxed{}` content, or null. */
export function lastBoxed(text: string): string | null {
  const all = allBoxed(text);
  return all.length ? all[all.length - 1]! : null;
}

/** Content of the last `<Final_answer>` block (an unclosed block at a length cut runs to the end). */
export function finalAnswerBlock(text: string): string | null {
  const open = text.lastIndexOf('<Final_answer>');
  if (open < 0) return null;
  const start = open + '<Final_answer>'.length;
  const close = text.indexOf('</Final_answer>', start);
  return text.slice(start, close < 0 ? undefined : close).trim();
}

/** Drops a reasoning block so answers written inside the thought are not taken for the final one. */
function afterThinking(text: string): string {
  const end = text.lastIndexOf('</think>');
  return end >= 0 && text.slice(end + 8).trim() ? text.slice(end + 8) : text;
}

/**
 * The math answer of a reply: the last `\boxed{}` of the `<Final_answer>` block when there is one,
 * else of the text after `</think>`, else of the whole text; then "the answer is X"; else the
 * `<Final_answer>` block itself.
 */
export function extractMathAnswer(text: string): string | null {
  const block = finalAnswerBlock(text);
  if (block !== null) {
    const boxed = lastBoxed(block);
    if (boxed !== null) return boxed;
  }
  const boxed = lastBoxed(afterThinking(text)) ?? lastBoxed(text);
  if (boxed !== null) return boxed;
  const said = /(?:final answer|the answer)\s*(?:is|:)\s*\$?([^\n$]+?)\$?\s*\.?\s*$/im.exec(block ?? text);
  if (said) return said[1]!.trim();
  return block && block.length ? block : null;
}

/** Multiple-choice letter: `Answer: X` (last one), `\boxed{X}`, or `(X)` alone in the final block. */
export function extractChoice(text: string, letters = 'ABCD'): string | null {
  const set = `[${letters}]`;
  const scope = finalAnswerBlock(text) ?? afterThinking(text);
  const answerRe = new RegExp(`answer\\s*(?:is)?\\s*[:：]?\\s*\\**\\s*\\(?(${set})\\)?(?![A-Za-z])`, 'gi');
  for (const where of [scope, text]) {
    const hits = [...where.matchAll(answerRe)];
    const last = hits.at(-1);
    if (last) return last[1]!.toUpperCase();
    const boxed = lastBoxed(where);
    if (boxed !== null) {
      const m = new RegExp(`^(?:\\\\text\\{)?\\(?(${set})\\)?\\}?$`, 'i').exec(boxed.trim());
      if (m) return m[1]!.toUpperCase();
    }
  }
  const alone = new RegExp(`^\\s*\\(?(${set})\\)?[.)]?\\s*$`, 'i').exec(scope.trim());
  return alone ? alone[1]!.toUpperCase() : null;
}

const EQUATION_CHARS = /^[\d\s+\-*/×÷().=]+$/;

/**
 * A Countdown equation: from `<answer>...</answer>`, the final block or `\boxed{}`, else the last
 * line that is only numbers and operators. A trailing `= target` is removed.
 */
export function extractCountdownEquation(text: string): string | null {
  const tagged = [...text.matchAll(/<answer>([\s\S]*?)<\/answer>/g)].at(-1)?.[1];
  const candidates: string[] = [];
  if (tagged !== undefined) candidates.push(tagged);
  const boxed = lastBoxed(finalAnswerBlock(text) ?? text);
  if (boxed !== null) candidates.push(boxed);
  const block = finalAnswerBlock(text);
  if (block !== null) candidates.push(...block.split('\n').reverse());
  candidates.push(...afterThinking(text).split('\n').reverse());
  for (const raw of candidates) {
    const cleaned = raw
      .replace(/\\times|\\cdot/g, '*')
      .replace(/\\div/g, '/')
      .replace(/\\left|\\right/g, '')
      .replace(/\\[()[\]]/g, '')
      .replace(/\$/g, '')
      .trim()
      .replace(/\.$/, '');
    if (!cleaned || !/\d/.test(cleaned) || !/[+\-*/×÷]/.test(cleaned) || !EQUATION_CHARS.test(cleaned))
      continue;
    const parts = cleaned.split('=').map((p) => p.trim());
    // "a + b = 12" -> "a + b"; "12 = a + b" -> "a + b"
    const expr = parts.find((p) => /[+\-*/×÷]/.test(p)) ?? parts[0]!;
    return expr;
  }
  return null;
}
