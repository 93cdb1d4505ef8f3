import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { encodeIndexKey } from '../../../sync/replica/sqlite/index-key-encoding.js';

/** JavaScript's string order, which RxDB uses for its index strings. */
function compareStrings(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

function compareKeys(left: string, right: string): number {
  return Math.sign(Buffer.compare(encodeIndexKey(left), encodeIndexKey(right)));
}

/** Characters around the ones the encoding treats apart: controls, the space, surrogates, U+FFFF. */
const indexCharacter = fc.constantFrom(
  '\u0000', '\u0001', '\u0002', '\u0003', '\u001f', ' ', ' ', ' ', '!', '0', '9', 'a', 'z', '\u007f', '\u0080', 'é', '\u07ff', '\u0800',
  '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\uffff', '😀',
);
const indexString = fc.array(indexCharacter, { maxLength: 12 }).map((characters) => characters.join(''));

describe('encodeIndexKey', () => {
  it('orders strings of one length as JavaScript does', () => {
    fc.assert(
      fc.property(indexString, indexString, (left, right) => {
        const length = Math.max(left.length, right.length);
        const paddedLeft = left.padEnd(length, ' ');
        const paddedRight = right.padEnd(length, ' ');
        expect(compareKeys(paddedLeft, paddedRight)).toBe(compareStrings(paddedLeft, paddedRight));
      }),
      { numRuns: 20_000, seed: 42 },
    );
  });

  it('encodes trailing padding as nothing', () => {
    fc.assert(
      fc.property(indexString, fc.integer({ min: 0, max: 40 }), (value, padding) => {
        expect(encodeIndexKey(value.padEnd(value.length + padding, ' ')).equals(encodeIndexKey(value))).toBe(true);
      }),
      { numRuns: 2_000, seed: 7 },
    );
  });

  it('orders RxDB index strings of padded fields field by field', () => {
    const field = (value: string) => value.padEnd(16, ' ');
    const keys = [
      ['0', 'patient-1', 'code\u0001'],
      ['0', 'patient-1', 'code'],
      ['0', 'patient-1', 'code a'],
      ['0', 'patient-1', 'codea'],
      ['0', 'patient-10', ''],
      ['0', 'patient-2', ''],
      ['1', '', ''],
    ].map((fields) => fields.map(field).join(''));
    const sorted = [...keys].sort((left, right) => Buffer.compare(encodeIndexKey(left), encodeIndexKey(right)));
    expect(sorted).toEqual([...keys].sort(compareStrings));
    expect(sorted).toEqual(keys);
  });

  it('stores ASCII and padding compactly', () => {
    const id = '0b6ed5f4-2d4e-4c5a-9f55-1bd1e7d5e4a2';
    const key = encodeIndexKey(`0${id.padEnd(64, ' ')}${'8867-4'.padEnd(32, ' ')}`);
    expect(key.length).toBe(1 + 36 + 4 + 6 + 1);
    expect(key.subarray(0, 37).toString('latin1')).toBe(`0${id}`);
  });

  it('keeps characters beyond U+FFFF in UTF-16 order, below U+E000', () => {
    expect(compareKeys('😀', '\ue000')).toBe(-1);
    expect(compareKeys('😀', '\ud7ff')).toBe(1);
  });

  it('refuses a run of spaces longer than its three digits can count', () => {
    expect(() => encodeIndexKey(`${' '.repeat(2 ** 21)}a`)).toThrow(/run of 2097152 spaces exceeds/);
  });
});
