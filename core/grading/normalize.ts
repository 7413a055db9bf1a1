/*
 * String normalisation of math answers (pure, no CAS): what two equal answers written by different
 * hands still differ in. Used for exact matching, for grouping votes (self-consistency), and before
 * the CAS comparison in `equivalence.ts`.
 */
import { readBraceGroup } from './extract';

/** Unit words dropped after a number (MATH answers carry them inconsistently). */
const UNITS = [
  'square units',
  'sq units',
  'units',
  'unit',
  'square feet',
  'square inches',
  'square meters',
  'square centimeters',
  'cubic feet',
  'cubic inches',
  'cubic meters',
  'cubic centimeters',
  'feet',
  'foot',
  'ft',
  'inches',
  'inch',
  'in',
  'meters',
  'meter',
  'm',
  'centimeters',
  'centimeter',
  'cm',
  'millimeters',
  'mm',
  'kilometers',
  'km',
  'miles',
  'mile',
  'mph',
  'yards',
  'yard',
  'degrees',
  'degree',
  'radians',
  'dollars',
  'dollar',
  'cents',
  'cent',
  'hours',
  'hour',
  'minutes',
  'minute',
  'seconds',
  'second',
  'days',
  'day',
  'weeks',
  'years',
  'year',
  'pounds',
  'ounces',
  'grams',
  'kilograms',
  'kg',
  'g',
  'liters',
  'people',
  'students',
  'ways',
  'points',
  'percent',
  'sq',
  'cm^2',
  'm^2',
  'ft^2',
  'in^2',
  'cm^3',
  'm^3',
];
const UNIT_RE = new RegExp(
  `(\\d|\\})\\s*(?:${UNITS.map((u) => u.replace(/[\^]/g, '\\^')).join('|')})\\s*$`,
  'i',
);

/** Rewrites `\cmd{...}` to its argument, for text-like wrappers. */
function unwrap(s: string, commands: string[]): string {
  let out = s;
  for (const cmd of commands) {
    const token = `\\${cmd}`;
    let at = out.indexOf(token);
    while (at >= 0) {
      let open = at + token.length;
      while (out[open] === ' ') open++;
      const group = readBraceGroup(out, open);
      if (!group) {
        at = out.indexOf(token, at + 1);
        continue;
      }
      out = out.slice(0, at) + group.content + out.slice(group.end);
      at = out.indexOf(token, at);
    }
  }
  return out;
}

/** `\frac12` -> `\frac{1}{2}`, `\frac1{x}` -> `\frac{1}{x}`, `\sqrt2` -> `\sqrt{2}`. */
function braceShortArgs(s: string): string {
  return s
    .replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}')
    .replace(/\\frac\s*(\d)\s*\{/g, '\\frac{$1}{')
    .replace(/\\frac\s*\{([^{}]*)\}\s*(\d)/g, '\\frac{$1}{$2}')
    .replace(/\\sqrt\s*(\d+|[a-zA-Z])(?![a-zA-Z])/g, '\\sqrt{$1}');
}

/** A whole-string number with thousands separators (`1,234,567.5`, `1{,}000`, `1\,000`) without them. */
function dropThousands(s: string): string {
  const t = s.replace(/\{,\}/g, ',').replace(/\\,(?=\d{3})/g, ',');
  return /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t) ? t.replace(/,/g, '') : s;
}

/** English ordinal suffix of a whole number: 1st, 2nd, 3rd, 11th-13th, 21st, ... */
function ordinalSuffix(n: string): string {
  const v = Number(n) % 100;
  if (v >= 11 && v <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][Number(n) % 10] ?? 'th';
}

/**
 * Ordinal superscripts after a number: `12^{\mathrm{th}}`, `12^\text{th}`, `21^{st}` -> the number.
 * A suffix wrapped in a text command is text whatever the number; a bare one (`2^{nd}`) is only
 * taken for a suffix when it is the number's own, since `x^{nd}` could be a power.
 */
function dropOrdinals(s: string): string {
  return s
    .replace(
      /(\d+)\s*\^\s*(?:\{\s*)?\\(?:mathrm|text|textrm|textnormal|rm)\s*\{\s*(st|nd|rd|th)\s*\}(?:\s*\})?/g,
      '$1',
    )
    .replace(/(\d+)\s*\^\s*\{\s*(st|nd|rd|th)\s*\}/g, (m, n: string, suffix: string) =>
      ordinalSuffix(n) === suffix ? n : m,
    );
}

/**
 * A unit written as text after a number at the end of the answer (`5\text{ inches}`,
 * `4\mbox{ cm}^2`, `7\text{ apples}`) -> the number. Only words, so `2\text{ or }3` keeps its text.
 */
function dropTextUnit(s: string): string {
  return s.replace(
    /(\d)\s*\\(?:text|mbox|textrm|textnormal|mathrm)\s*\{\s*[A-Za-z][A-Za-z .]*\}(?:\s*\^\s*(?:\{\s*\d\s*\}|\d))?\s*\.?\s*$/,
    '$1',
  );
}

/** `x \in [-2,7]` -> `[-2,7]`: membership of a lone variable in the answer set. */
function dropMembership(s: string): string {
  const m = /^\s*(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?\s*\\in(?![a-zA-Z])\s*(.+)$/.exec(s);
  return m ? m[1]! : s;
}

/** `5.0` -> `5`, `2.50` -> `2.5`, `.5` -> `0.5`, for each plain decimal in the string. */
function tidyDecimals(s: string): string {
  return s
    .replace(/(^|[^\d.])\.(\d)/g, '$10.$2')
    .replace(/(\d+)\.(\d*?)0+(?!\d)/g, (_m, int: string, frac: string) => (frac ? `${int}.${frac}` : int));
}

/**
 * Canonical string form of a math answer: delimiters, spacing commands, `\left`/`\right`,
 * `\dfrac`/`\tfrac`, degrees, `\text{}` and unit words, percent, dollar signs, thousands separators,
 * trailing zeros, and a leading `x =` are removed or rewritten. Never throws.
 */
export function normalizeMath(answer: string): string {
  let s = answer.trim();
  s = s
    .replace(/^\$+|\$+$/g, '')
    .replace(/^\\\(|\\\)$/g, '')
    .replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/\\(?:dfrac|tfrac)/g, '\\frac').replace(/\\(?:dbinom|tbinom)/g, '\\binom');
  s = s.replace(/\\left\b|\\right\b|\\big[lr]?|\\Big[lr]?/g, '');
  s = s.replace(/\\displaystyle/g, '');
  // `10,\!080`: a thin negative space after a thousands comma (LaTeX typesetting) is not a list
  s = s.replace(/(\d),\s*\\!\s*(?=\d{3}(?!\d))/g, '$1,');
  s = dropOrdinals(s);
  s = dropTextUnit(s);
  s = dropMembership(s);
  s = s.replace(/(?<!\\)\\[!,;:> ]/g, ' ').replace(/~/g, ' ');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree/g, '');
  s = s.replace(/\\%|%/g, '').replace(/\\\$|\$/g, '');
  s = unwrap(s, ['text', 'textbf', 'mathrm', 'mbox', 'textnormal', 'operatorname', 'mathbf']);
  s = s.replace(/\\(?:quad|qquad)/g, ' ');
  s = s.trim().replace(/[.\s]+$/, '');
  // units after a number (twice: "5 square units", "10 cm^2")
  for (let i = 0; i < 2; i++) s = s.replace(UNIT_RE, '$1').trim();
  s = braceShortArgs(s);
  // a leading single-variable equation: "x = 3" -> "3" (but keep "y = 2x + 1" sides when both are expressions)
  const eq = /^\s*([a-zA-Z]|\\[a-zA-Z]+)\s*=\s*(.+)$/.exec(s);
  if (eq && !/[=]/.test(eq[2]!) && !/[a-zA-Z]/.test(eq[2]!.replace(/\\[a-zA-Z]+/g, ''))) s = eq[2]!;
  s = dropThousands(s.trim());
  // drop spaces, except one after a command name followed by a letter (`\\pi r` is not `\\pir`)
  s = s
    .replace(/(\\[a-zA-Z]+)\s+(?=[a-zA-Z])/g, '$1\u0001')
    .replace(/\s+/g, '')
    .split('\u0001')
    .join(' ');
  s = s.replace(/\\neq/g, '\\ne').replace(/\\leq/g, '\\le').replace(/\\geq/g, '\\ge');
  s = tidyDecimals(s);
  // a lone text answer in braces: "{5}" -> "5"
  while (/^\{[^{}]*\}$/.test(s)) s = s.slice(1, -1);
  return s;
}
