import { mathEquivalent } from '../../core/grading/equivalence';
import { normalizeMath } from '../../core/grading/normalize';

/*
 * Table of math answer pairs. Each row is checked in both directions: equivalence is symmetric.
 * [a, b, equal?, what the row is about]
 */
const cases: [string, string, boolean, string][] = [
  // fractions and their spellings
  ['\\frac{1}{2}', '\\dfrac{1}{2}', true, 'dfrac'],
  ['\\tfrac{3}{4}', '\\frac{3}{4}', true, 'tfrac'],
  ['\\frac12', '\\frac{1}{2}', true, 'short frac'],
  ['\\frac{1}{2}', '0.5', true, 'fraction vs decimal'],
  ['\\frac{1}{2}', '1/2', true, 'slash'],
  ['\\frac{2}{4}', '\\frac{1}{2}', true, 'unreduced'],
  ['\\frac{1}{3}', '0.333', false, 'rounded decimal is not exact'],
  ['\\frac{1}{3}', '0.3333333333', true, 'decimal within 1e-6'],
  ['\\frac{1}{2}', '\\frac{1}{3}', false, 'different fractions'],
  ['-\\frac{1}{2}', '\\frac{-1}{2}', true, 'sign placement'],
  ['-\\frac{1}{2}', '\\frac{1}{2}', false, 'sign'],
  ['\\frac{14}{3}', '4\\frac{2}{3}', true, 'mixed number'],
  ['\\frac{7}{2}', '3.5', true, 'improper fraction'],
  ['\\frac{9}{4}', '2.25', true, 'quarter'],
  ['\\frac{5}{8}', '0.625', true, 'eighths'],
  ['\\frac{3}{5}', '0.6', true, 'fifths'],
  ['\\frac{3}{5}', '0.65', false, 'close but wrong'],
  ['\\frac{a}{b}', 'a/b', true, 'symbolic fraction'],
  ['\\frac{1}{x}', 'x^{-1}', true, 'negative power'],
  ['\\frac{x+1}{2}', '\\frac{x}{2}+\\frac{1}{2}', true, 'split fraction'],
  // integers and decimals
  ['5', '5.0', true, 'trailing .0'],
  ['5', '5.00', true, 'trailing zeros'],
  ['2.50', '2.5', true, 'trailing zero in decimal'],
  ['.5', '0.5', true, 'leading dot'],
  ['1000', '1,000', true, 'thousands separator'],
  ['1000000', '1,000,000', true, 'two separators'],
  ['1000', '1{,}000', true, 'braced separator'],
  ['10', '10.5', false, 'different decimal'],
  ['7', '8', false, 'different integers'],
  ['-3', '3', false, 'sign of integer'],
  ['0', '-0', true, 'negative zero'],
  ['12', '012', true, 'leading zero'],
  ['3.14', '\\pi', false, 'pi is not 3.14'],
  ['100', '10^2', true, 'power of ten'],
  ['0.01', '10^{-2}', true, 'negative exponent'],
  ['1024', '2^{10}', true, 'power of two'],
  ['6', '3!', true, 'factorial'],
  ['120', '5!', true, 'factorial 5'],
  ['10', '\\binom{5}{2}', true, 'binomial'],
  ['10', '\\dbinom{5}{2}', true, 'dbinom'],
  ['0.3', '0.1+0.2', true, 'float sum'],
  // roots
  ['2\\sqrt{2}', '\\sqrt{8}', true, 'simplified root'],
  ['\\sqrt{2}', '\\sqrt2', true, 'short sqrt'],
  ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}', true, 'rationalised'],
  ['\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt2}', true, 'rationalised 2'],
  ['10\\sqrt{2}', '\\sqrt{200}', true, 'big root'],
  ['3\\sqrt{3}', '\\sqrt{27}', true, 'cube factor'],
  ['\\sqrt{3}', '\\sqrt{2}', false, 'different roots'],
  ['2', '\\sqrt[3]{8}', true, 'cube root'],
  ['\\sqrt{2}+1', '1+\\sqrt{2}', true, 'commuted'],
  ['\\sqrt{2}-1', '1-\\sqrt{2}', false, 'swapped difference'],
  ['4\\sqrt{5}', '\\sqrt{80}', true, 'root 80'],
  ['5\\sqrt{2}', '7.0710678', true, 'decimal root (1e-6)'],
  ['5\\sqrt{2}', '7.07', false, 'rounded root'],
  // pi, e, trig, logs
  ['\\pi', '\\pi', true, 'pi'],
  ['\\frac{\\pi}{2}', '\\pi/2', true, 'pi over two'],
  ['2\\pi', '\\pi\\cdot2', true, 'commuted pi'],
  ['\\frac{\\pi}{3}', '\\frac{\\pi}{4}', false, 'different angles'],
  ['\\frac{1}{2}', '\\sin(\\pi/6)', true, 'sine'],
  ['3', '\\log_2 8', true, 'log base 2'],
  ['2', '\\ln(e^2)', true, 'natural log'],
  ['\\frac{\\sqrt{3}}{2}', '\\cos(\\pi/6)', true, 'cosine'],
  ['4\\pi', '12.566370614', true, 'decimal 4 pi'],
  ['\\pi r^2', 'r^2\\pi', true, 'area formula'],
  // degrees, units, percent, dollars, text
  ['30^\\circ', '30', true, 'degrees'],
  ['30^{\\circ}', '30', true, 'braced degrees'],
  ['45°', '45', true, 'degree sign'],
  ['90^\\circ', '45^\\circ', false, 'different angles'],
  ['50\\%', '50', true, 'percent'],
  ['50%', '50', true, 'bare percent'],
  ['25\\%', '50\\%', false, 'different percent'],
  ['\\$18.90', '18.9', true, 'dollars'],
  ['18.90', '18.9', true, 'cents zero'],
  ['5\\text{ cm}', '5', true, 'unit in text'],
  ['5 \\text{ inches}', '5', true, 'inches'],
  ['12\\text{ square units}', '12', true, 'square units'],
  ['12 \\mbox{ units}', '12', true, 'mbox units'],
  ['10\\text{ cm}^2', '10', true, 'squared unit'],
  ['5 \\text{ cm}', '6', false, 'unit does not rescue wrong value'],
  ['\\text{Monday}', 'Monday', true, 'text answer'],
  ['\\text{monday}', 'Monday', true, 'case of text'],
  ['\\text{Tuesday}', 'Monday', false, 'different text'],
  ['\\text{(C)}', '(C)', true, 'text letter'],
  ['\\textbf{8}', '8', true, 'bold'],
  ['\\mathrm{odd}', 'odd', true, 'mathrm word'],
  ['\\text{even}', '\\text{odd}', false, 'even/odd'],
  // spacing, delimiters, \left \right
  ['\\left(1,2\\right)', '(1,2)', true, 'left right'],
  ['( 1 , 2 )', '(1,2)', true, 'spaces'],
  ['$5$', '5', true, 'dollar delimiters'],
  ['\\(5\\)', '5', true, 'paren delimiters'],
  ['5\\,000', '5000', true, 'thin space separator'],
  ['\\displaystyle\\frac{1}{2}', '\\frac12', true, 'displaystyle'],
  ['5.', '5', true, 'trailing period'],
  ['x\\!+\\!1', 'x+1', true, 'negative space'],
  // equations
  ['x = 3', '3', true, 'single variable equation'],
  ['x=3', '3', true, 'no spaces'],
  ['k = -2', '-2', true, 'negative'],
  ['x = 3', '4', false, 'wrong value in equation'],
  ['3 = x', '3', true, 'variable on the right'],
  ['y = 2x', '2x', true, 'expression answer with a named left side'],
  ['x + y = 3', '3', false, 'an equation is not its right side'],
  ['y = 2x + 1', 'y = 1 + 2x', true, 'commuted rhs'],
  ['y = 2x + 1', '2x + 1 = y', true, 'swapped sides'],
  ['y = 2x + 1', 'y = 2x - 1', false, 'different lines'],
  ['2x + 3y = 6', '6 = 3y + 2x', true, 'linear equation swapped'],
  ['x^2+y^2=1', 'x^2+y^2-1=0', true, 'moved constant'],
  ['y=x^2', 'y=x^3', false, 'different curves'],
  ['\\theta = \\frac{\\pi}{4}', '\\frac{\\pi}{4}', true, 'greek variable'],
  // polynomials and expressions
  ['(x+1)^2', 'x^2+2x+1', true, 'expanded square'],
  ['x^2-1', '(x-1)(x+1)', true, 'difference of squares'],
  ['x^2-1', '(x-1)^2', false, 'not a square'],
  ['2x+2', '2(x+1)', true, 'factored'],
  ['x^2', 'x^3', false, 'different powers'],
  ['3x', 'x+x+x', true, 'repeated sum'],
  ['ab', 'ba', true, 'commuted product'],
  ['a+b', 'a-b', false, 'sign inside'],
  ['\\frac{x^2-1}{x-1}', 'x+1', true, 'rational simplifies'],
  ['x^3+3x^2+3x+1', '(x+1)^3', true, 'cube'],
  ['6x^2-5x+1', '(2x-1)(3x-1)', true, 'quadratic factors'],
  ['6x^2-5x+1', '(2x-1)(3x+1)', false, 'wrong factor'],
  ['e^{x}', 'e^x', true, 'brace exponent'],
  ['\\sqrt{x^2}', 'x', false, 'sqrt x^2 is |x|'],
  ['2^{n+1}', '2\\cdot2^n', true, 'exponent rule'],
  // complex numbers
  ['2+3i', '3i+2', true, 'commuted complex'],
  ['2+3i', '2-3i', false, 'conjugate'],
  ['i^2', '-1', true, 'i squared'],
  ['1+i', '\\sqrt{2}e^{i\\pi/4}', true, 'polar form'],
  // infinity
  ['\\infty', '\\infty', true, 'infinity'],
  ['-\\infty', '\\infty', false, 'signed infinity'],
  // tuples and points
  ['(1,2)', '(1, 2)', true, 'point'],
  ['(1,2)', '(2,1)', false, 'order matters in a tuple'],
  ['(\\frac{1}{2}, 3)', '(0.5, 3)', true, 'tuple with fraction'],
  ['(1,2,3)', '(1,2)', false, 'tuple length'],
  ['(-1, \\sqrt{2})', '(-1,\\sqrt2)', true, 'tuple with root'],
  ['(3,-4)', '\\left( 3, -4 \\right)', true, 'tuple left right'],
  // intervals
  ['[1,2)', '[1, 2)', true, 'half-open interval'],
  ['[1,2)', '(1,2]', false, 'bracket types differ'],
  ['(-\\infty, 3]', '(-\\infty,3]', true, 'infinite interval'],
  ['(-\\infty, 3)', '(-\\infty, 3]', false, 'closed vs open end'],
  ['(0,\\frac{1}{2})', '(0, 0.5)', true, 'interval with fraction'],
  ['(-\\infty,-1)\\cup(1,\\infty)', '(1,\\infty)\\cup(-\\infty,-1)', true, 'union in any order'],
  ['(-\\infty,-1)\\cup(1,\\infty)', '(-\\infty,-1]\\cup(1,\\infty)', false, 'union bracket differs'],
  ['[2,5]', '[2,6]', false, 'interval end'],
  // sets and lists
  ['\\{1,2,3\\}', '\\{3,2,1\\}', true, 'set order'],
  ['\\{1,2\\}', '\\{1,2,3\\}', false, 'set size'],
  ['\\{\\frac12, 2\\}', '\\{2, 0.5\\}', true, 'set values'],
  ['1, 2', '2, 1', true, 'list of solutions'],
  ['-2, 2', '2,-2', true, 'plus minus solutions'],
  ['1, 2', '1, 3', false, 'list value differs'],
  ['1, 2, 3', '1, 2', false, 'list length'],
  ['\\frac{1}{2}, -3', '-3, 0.5', true, 'list with fraction'],
  ['3, 5, 7', '7, 5, 3', true, 'list of three'],
  // matrices
  [
    '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}',
    '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}',
    true,
    'matrix spacing',
  ],
  [
    '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}',
    '\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}',
    false,
    'transposed',
  ],
  [
    '\\begin{pmatrix}\\frac12\\\\2\\end{pmatrix}',
    '\\begin{pmatrix}0.5\\\\2\\end{pmatrix}',
    true,
    'vector fraction',
  ],
  [
    '\\begin{pmatrix}1\\\\2\\end{pmatrix}',
    '\\begin{bmatrix}1\\\\2\\end{bmatrix}',
    true,
    'bracket style of a matrix does not matter',
  ],
  ['\\begin{pmatrix}1&2\\end{pmatrix}', '\\begin{pmatrix}1&2&3\\end{pmatrix}', false, 'matrix width'],
  [
    '\\begin{pmatrix}-1\\\\\\sqrt{8}\\end{pmatrix}',
    '\\begin{pmatrix}-1\\\\2\\sqrt2\\end{pmatrix}',
    true,
    'vector with root',
  ],
  // letters and multiple choice written as text
  ['(C)', '(C)', true, 'same letter'],
  ['\\text{(A)}', '\\text{(B)}', false, 'different letter'],
  // malformed and empty
  ['', '5', false, 'empty answer'],
  ['\\frac{1}{', '\\frac{1}{2}', false, 'unclosed brace'],
  ['5', '\\frac{10}{2}', true, 'integer vs fraction'],
  ['n+1', 'n+2', false, 'different expressions'],
  ['\\frac{n(n+1)}{2}', '\\frac{n^2+n}{2}', true, 'triangular numbers'],
  ['\\frac{n(n+1)}{2}', '\\frac{n^2-n}{2}', false, 'off by one triangular'],
  ['m+n', 'n+m', true, 'commuted variables'],
  ['\\sqrt{a^2+b^2}', '\\sqrt{b^2+a^2}', true, 'hypotenuse'],
  // answer forms of released SPRINT logs (issue 13): correct answers that must be accepted
  ['10,\\!080', '10080', true, 'thin-space thousands separator'],
  ['10,\\!000,\\!000', '10000000', true, 'two thin-space separators'],
  ['\\$1,\\!250', '1250', true, 'dollars with a thin-space separator'],
  ['4\\mbox{ cm}^2', '4', true, 'mbox unit with an exponent'],
  ['27\\mbox{ in}^3', '27', true, 'mbox cubic unit'],
  ['12^{\\mathrm{th}}', '12', true, 'ordinal superscript in mathrm'],
  ['21^{\\text{st}}', '21', true, 'ordinal superscript in text'],
  ['3^\\text{rd}', '3', true, 'ordinal superscript without braces'],
  ['2^{nd}', '2', true, 'bare ordinal matching its number'],
  ['x \\in [-2,7]', '[-2,7]', true, 'set membership of an interval'],
  ['x\\in(-\\infty,3]', '(-\\infty, 3]', true, 'membership of an infinite interval'],
  ['t \\in \\{1,2\\}', '\\{2,1\\}', true, 'membership of a set'],
  ['5\\text{ inches}', '5', true, 'text unit after a number'],
  ['7\\text{ apples}', '7', true, 'any word unit after a number'],
  ['15\\text{ sq ft}', '15', true, 'several unit words'],
  // ... and must not turn wrong answers right
  ['10,\\!080', '1008', false, 'thin-space separator keeps every digit'],
  ['10,\\!080', '10.08', false, 'thin-space separator is not a decimal point'],
  ['1,\\!5', '15', false, 'a thin space before fewer than three digits is no thousands separator'],
  ['4\\mbox{ cm}^2', '16', false, 'a unit exponent does not square the number'],
  ['12^{\\mathrm{th}}', '13', false, 'ordinal of another number'],
  ['2^{rd}', '2', false, "bare suffix that is not the number's ordinal stays a power"],
  ['x \\in [-2,7]', '[-2,7)', false, 'membership keeps the interval ends'],
  ['x \\in [-2,7]', '(-2,7)', false, 'membership: open vs closed'],
  ['5\\text{ inches}', '6', false, 'text unit does not rescue a wrong value'],
  ['2\\text{ or }3', '2', false, 'text between numbers is not a unit'],
  ['2\\text{ or }3', '3', false, 'text between numbers is not a unit (right side)'],
];

describe('math answer equivalence (table, both directions)', () => {
  it('has at least 150 rows', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(cases.filter((c) => c[2]).length).toBeGreaterThan(40);
    expect(cases.filter((c) => !c[2]).length).toBeGreaterThan(40);
  });

  it.each(cases)('%s vs %s -> %s (%s)', (a, b, expected) => {
    expect(mathEquivalent(a, b)).toBe(expected);
    expect(mathEquivalent(b, a)).toBe(expected);
  });

  it('null prediction is never correct', () => {
    expect(mathEquivalent(null, '5')).toBe(false);
  });
});

describe('normalizeMath', () => {
  it.each([
    ['\\dfrac{1}{2}', '\\frac{1}{2}'],
    ['\\left( 1, 2 \\right)', '(1,2)'],
    ['30^\\circ', '30'],
    ['1,234,567', '1234567'],
    ['5.0', '5'],
    ['x = 3', '3'],
    ['\\text{5 cm}', '5'],
    ['50\\%', '50'],
    ['\\$5', '5'],
  ])('%s -> %s', (input, out) => {
    expect(normalizeMath(input)).toBe(out);
  });
});
