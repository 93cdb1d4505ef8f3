import type { TestMapping } from '../profiles/index.js';
import type { ReferenceRangeDraft, ResultUnit, ResultValue, ReviewReason } from './types.js';

export interface UnitResolution {
  readonly unit: ResultUnit;
  /** Set when the sent unit matches neither the profile's unit nor its analyzerUnit. */
  readonly mismatch?: Extract<ReviewReason, { code: 'unit-mismatch' }>;
}

/**
 * Decides the stored unit of a mapped result. The sent unit must be the profile's `unit` (stored
 * as is) or its `analyzerUnit` (stored as `unit`, with the profile's conversion when it has one).
 * Any other unit is a mismatch: nothing is converted and the result waits for review, because a
 * value in an unexpected unit stored under the expected one would be wrong by a factor. Units are
 * compared exactly, since UCUM units are case-sensitive. A test without a `unit` in the profile
 * (a qualitative one) accepts whatever was sent, and so does a non-numeric value sent with no unit.
 */
export function resolveUnit(sent: string, mapping: TestMapping | undefined, value: ResultValue): UnitResolution {
  if (mapping?.unit === undefined) return { unit: { sent } };

  if (sent === mapping.unit) return { unit: { sent, stored: mapping.unit } };
  if (mapping.analyzerUnit !== undefined && sent === mapping.analyzerUnit) {
    const conversion = mapping.conversion;
    return { unit: conversion ? { sent, stored: mapping.unit, conversion: { factor: conversion.factor, offset: conversion.offset } } : { sent, stored: mapping.unit } };
  }
  if (sent === '' && !isNumeric(value)) return { unit: { sent } };

  const expected = mapping.analyzerUnit === undefined ? [mapping.unit] : [mapping.unit, mapping.analyzerUnit];
  const what = sent === '' ? 'No unit was sent' : `Unit ${JSON.stringify(sent)} was sent`;
  return {
    unit: { sent },
    mismatch: {
      code: 'unit-mismatch',
      message: `${what} where the profile expects ${expected.map((unit) => JSON.stringify(unit)).join(' or ')}: the value was stored unconverted; check the analyzer's unit setting or add the unit to the profile`,
      sent,
      expected,
    },
  };
}

/** Applies a unit's conversion to a value; values without a unit (ratios, text) pass unchanged. */
export function convertValue(value: ResultValue, unit: ResultUnit): ResultValue {
  const conversion = unit.conversion;
  if (!conversion) return value;

  if (value.kind === 'quantity') return { ...value, value: convert(value.value, conversion) };
  if (value.kind === 'range') return { kind: 'range', low: convert(value.low, conversion), high: convert(value.high, conversion) };
  return value;
}

/** Applies a unit's conversion to the limits of a reference range, which are in the sent unit. */
export function convertRange(range: ReferenceRangeDraft | undefined, unit: ResultUnit): ReferenceRangeDraft | undefined {
  const conversion = unit.conversion;
  if (!range || !conversion) return range;

  return {
    text: range.text,
    ...(range.low === undefined ? {} : { low: convert(range.low, conversion) }),
    ...(range.high === undefined ? {} : { high: convert(range.high, conversion) }),
  };
}

function isNumeric(value: ResultValue): boolean {
  return value.kind === 'quantity' || value.kind === 'range';
}

/** Rounds to 12 significant digits, so that 0.1 × 3 is stored as 0.3 and not 0.30000000000000004. */
function convert(value: number, conversion: { readonly factor: number; readonly offset: number }): number {
  return Number((value * conversion.factor + conversion.offset).toPrecision(12));
}
