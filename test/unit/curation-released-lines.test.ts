/* The released line numbering (docs/sprint-format.md#released-line-numbering; rule restated in core/curation/released-lines.ts), on hand-worked examples. */
import {
  joinReleasedLines,
  LineRangeError,
  releasedFinalAnswer,
  releasedListing,
  releasedTraceLines,
} from '../../core/curation/released-lines';

describe('released line numbering', () => {
  const trace = 'First, x = 3.5. Then y. Mr. Smith said hi!\n\nNext line\n1. item one. Done';

  it('splits sentences at . ! ? and newlines, protecting decimals, titles, single letters and list numbers', () => {
    expect(releasedTraceLines(trace)).toEqual([
      'First, x = 3.5.',
      'Then y. Mr. Smith said hi!\n\n',
      'Next line\n',
      '1. item one.',
      'Done',
    ]);
  });

  it('treats ellipses and quotes the released way', () => {
    expect(releasedTraceLines('Wait... no, maybe..., yes.')).toEqual(['Wait...', 'no, maybe...., yes.']);
    expect(releasedTraceLines('He said "stop." Then we stop.')).toEqual(['He said "stop".', 'Then we stop.']);
  });

  it('joins a range with spaces except after a newline, then strips', () => {
    const lines = releasedTraceLines(trace);
    expect(joinReleasedLines(lines, [1, 3])).toBe('First, x = 3.5. Then y. Mr. Smith said hi!\n\nNext line');
    expect(joinReleasedLines(lines, [4, 5])).toBe('1. item one. Done');
    expect(() => joinReleasedLines(lines, [4, 9])).toThrow(
      new LineRangeError('range 4-9 is outside lines 1-5'),
    );
    expect(() => joinReleasedLines(lines, [3, 2])).toThrow(/runs backwards/);
  });

  it('lists the lines as the extractor saw them', () => {
    expect(releasedListing(['a.', 'b\n\n'])).toBe('<Line 1> a. </Line 1>\n<Line 2> b </Line 2>\n');
  });

  it('takes the final answer from the last sentence holding "boxed", else the last two sentences', () => {
    expect(releasedFinalAnswer('So $x=2$. Thus $\\boxed{2}$ is it. Yes.')).toBe(
      'Thus $\\boxed{2}$ is it.\nYes.',
    );
    expect(releasedFinalAnswer('One. Two. Three.')).toBe('Two.\nThree.');
  });
});
