import { describe, expect, it } from 'vitest';

import { describeValue, showControlCharacters } from '../../../main/core/lab/lab-views.js';

describe('lab result views', () => {
  it('keeps the digits the analyzer sent', () => {
    expect(describeValue({ kind: 'quantity', value: 15 }, '15.0')).toBe('15.0');
  });

  it('keeps a comparator with the sent digits', () => {
    expect(describeValue({ kind: 'quantity', value: 0.5, comparator: '<' }, '<0.50')).toBe('<0.50');
  });

  it('shows a converted value as computed', () => {
    expect(describeValue({ kind: 'quantity', value: 88.4 }, '1.0', true)).toBe('88.4');
  });

  it('writes ratios and ranges', () => {
    expect(describeValue({ kind: 'ratio', numerator: 1, denominator: 128 }, '1:128')).toBe('1:128');
    expect(describeValue({ kind: 'range', low: 2, high: 8 }, '2-8')).toBe('2-8');
  });

  it('names control characters, one record per line', () => {
    expect(showControlCharacters(Buffer.from('\x021H|\\^&\r\x03A7\r\n\x04', 'latin1'))).toBe('<STX>1H|\\^&<CR>\n<ETX>A7<CR><LF>\n<EOT>');
  });
});
