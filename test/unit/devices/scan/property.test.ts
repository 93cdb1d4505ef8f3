import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { APPLICATION_IDENTIFIERS, compileSitePattern, formatElementString, formatHri, getAiDefinition, gs1CheckDigit, parseScan, SCAN_ERROR_CODES } from '../../../../devices/scan/index.js';
import type { AiDefinition, AiPart, Gs1ScanResult, ScanParseOptions, ScanResult } from '../../../../devices/scan/index.js';
import { gs1Cases } from './support/fixtures.js';

/** A clock early in 2025: generated dates from 2026 on never expire. */
const NOW = new Date(2025, 0, 1, 12);
const OPTIONS: ScanParseOptions = {
  now: NOW,
  wristbandPattern: compileSitePattern('MRN(?<mrn>\\d{8})', 'wristband'),
  specimenPattern: compileSitePattern('S\\d{2}-\\d{6}', 'specimen'),
};

const DIGITS = [...'0123456789'];
const CSET_82 = [...`!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`];
const KINDS = ['gs1', 'hibc', 'wristband', 'specimen', 'unknown'];

/** Characters that mean something to one of the formats, and any other UTF-16 code unit. */
const SCAN_CHARACTER = fc.oneof(
  fc.constantFrom(...DIGITS, ...']()+$/%|?=&:#.- ', '\x1d', '\r', '\n', '\t', 'A', 'C', 'E', 'I', 'Q', 'X', 'Z', 'd', 'e', 'h', 't', 'p', 's'),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
);

const SEEDS = [
  ...gs1Cases().map((testCase) => testCase.input),
  '+A999123457',
  '+A99912345/$$3251231LOT/S123/16D20240115L',
  '+$$8053251231LOT7F',
  'MRN00123456',
  'S25-000042',
  ']d20109520123456788172606301012345\x1d21SN1',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: SCAN_CHARACTER }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.array(SCAN_CHARACTER, { maxLength: 6 }).map((characters) => characters.join('')) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: string, mutations: readonly Mutation[]): string {
  let text = seed;
  for (const change of mutations) {
    const at = text.length === 0 ? 0 : change.at % text.length;
    if (change.kind === 'replace') text = `${text.slice(0, at)}${change.text}${text.slice(at + 1)}`;
    if (change.kind === 'insert') text = `${text.slice(0, at)}${change.text}${text.slice(at)}`;
    if (change.kind === 'delete') text = `${text.slice(0, at)}${text.slice(at + change.length)}`;
  }
  return text;
}

/** What every result must satisfy, valid or not. */
function checkResult(raw: string, result: ScanResult): void {
  expect(result.raw).toBe(raw);
  expect(KINDS).toContain(result.kind);
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);

  if (result.error) {
    expect(SCAN_ERROR_CODES).toContain(result.error.code);
    expect(result.error.message.length).toBeGreaterThan(10);
    expect(Number.isInteger(result.error.position)).toBe(true);
    expect(result.error.position).toBeGreaterThanOrEqual(0);
    expect(result.error.position).toBeLessThanOrEqual(raw.length);
  }
  if (result.kind === 'gs1') {
    for (const element of result.elements) expect(getAiDefinition(element.ai)).toBeDefined();
  }
}

describe('scan parser properties', () => {
  it('gives a result or a typed error for any string', () => {
    fc.assert(
      fc.property(fc.array(SCAN_CHARACTER, { maxLength: 80 }), (characters) => {
        const raw = characters.join('');
        checkResult(raw, parseScan(raw, OPTIONS));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a result or a typed error for mutated valid scans', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        const raw = mutate(seed, mutations);
        checkResult(raw, parseScan(raw, OPTIONS));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads back an element string built from random AIs', () => {
    fc.assert(
      fc.property(elementsArbitrary(), (elements) => {
        const result = parseScan(`]C1${formatElementString(elements)}`, OPTIONS) as Gs1ScanResult;

        expect(result.error).toBeNull();
        expect(result.kind).toBe('gs1');
        expect(result.elements.map(({ ai, raw }) => ({ ai, raw }))).toEqual(elements);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back human readable text built from random AIs', () => {
    fc.assert(
      fc.property(elementsArbitrary(), (elements) => {
        // A value holding a known AI in parentheses is ambiguous in HRI text by design.
        fc.pre(elements.every((element) => !/\(\d{2,4}\)/.test(element.raw)));
        const result = parseScan(formatHri(elements), OPTIONS) as Gs1ScanResult;

        expect(result.error).toBeNull();
        expect(result.kind).toBe('gs1');
        expect(result.elements.map(({ ai, raw }) => ({ ai, raw }))).toEqual(elements);
      }),
      { numRuns: 500 },
    );
  });
});

function elementsArbitrary(): fc.Arbitrary<Array<{ ai: string; raw: string }>> {
  return fc
    .uniqueArray(fc.constantFrom(...APPLICATION_IDENTIFIERS), { selector: (definition) => definition.ai, minLength: 1, maxLength: 6 })
    .chain((definitions) => fc.tuple(...definitions.map(valueArbitrary)).map((values) => definitions.map((definition, index) => ({ ai: definition.ai, raw: values[index] as string }))));
}

/** Generates a valid value for an AI, with dates from 2026 to 2050 and correct check digits. */
function valueArbitrary(definition: AiDefinition): fc.Arbitrary<string> {
  const interpretation = definition.interpretation;
  if (interpretation.kind === 'date') return dateArbitrary(interpretation.dayZeroAllowed);
  if (interpretation.kind === 'date-time') {
    const minutesAndSeconds = definition.parts.length > 1 ? fc.constantFrom('', '30', '3015') : fc.constant('30');
    return fc.tuple(dateArbitrary(false), fc.integer({ min: 0, max: 23 }), minutesAndSeconds).map(([date, hour, rest]) => `${date}${pad2(hour)}${rest}`);
  }

  return fc
    .tuple(...definition.parts.map(partArbitrary))
    .filter((texts) => definition.checkParts?.(texts) === undefined)
    .map((texts) => texts.join(''));
}

function dateArbitrary(dayZeroAllowed: boolean): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 26, max: 50 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: dayZeroAllowed ? 0 : 1, max: 28 }))
    .map(([year, month, day]) => `${pad2(year)}${pad2(month)}${pad2(day)}`);
}

function partArbitrary(part: AiPart): fc.Arbitrary<string> {
  if (part.fixedValue !== undefined) return fc.constant(part.fixedValue);

  const lengths = Array.from({ length: part.maxLength - part.minLength + 1 }, (_, index) => part.minLength + index).filter(
    (length) => (part.lengths?.includes(length) ?? true) && (part.multipleOf === undefined || length % part.multipleOf === 0),
  );
  const characters = part.charset === 'N' ? DIGITS : CSET_82;
  return fc.constantFrom(...lengths).chain((length) => {
    const free = part.checkDigit ? length - 1 : length;
    return fc
      .array(fc.constantFrom(...characters), { minLength: free, maxLength: free })
      .map((chosen) => chosen.join(''))
      .map((text) => (part.checkDigit ? `${text}${gs1CheckDigit(text)}` : text));
  });
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
