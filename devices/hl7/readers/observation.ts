import type { Hl7Segment } from '../segment.js';
import { readCoded } from './coded.js';
import type { CodedElement } from './coded.js';

export type Comparator = '<' | '>' | '<=' | '>=' | '=' | '<>';

/**
 * One repetition of OBX-5, read by the value type in OBX-2. Every kind keeps `raw`, the
 * repetition's encoded text, so no result is ever lost to a reading this layer did not expect.
 */
export type ObservationValue =
  /** NM, or SN with one number. `suffix` '+' is SN's categorical form such as "2+". */
  | { kind: 'number'; raw: string; value: number; comparator?: Comparator; suffix?: '+' }
  /** SN with separator ':' or '/', such as a titer 1:128. */
  | { kind: 'ratio'; raw: string; numerator: number; denominator: number; separator: ':' | '/'; comparator?: Comparator }
  /** SN with separator '-', such as 2-8 cells per high power field. */
  | { kind: 'range'; raw: string; low: number; high: number; comparator?: Comparator }
  /** ST, TX, FT, IS, ID and the date/time types. */
  | { kind: 'text'; raw: string; text: string }
  /** CE, CWE, CNE. */
  | { kind: 'coded'; raw: string; coded: CodedElement }
  /** Any other type (ED, RP, XAD, ...) or a value that does not fit its type; `text` as `Hl7Segment.value()` returns it. */
  | { kind: 'other'; raw: string; text: string };

/** OBX-7 as sent, with its limits when it is the common "low-high" or "low to high" form. */
export interface ReferenceRange {
  text: string;
  low?: number;
  high?: number;
}

/** An NTE segment. */
export interface Note {
  /** NTE-2, e.g. L (from the lab). */
  source: string;
  /** NTE-3, one entry per repetition. */
  comments: string[];
  segment: Hl7Segment;
}

/** The OBX fields a lab interface stores. Values are decoded; '' when absent. */
export interface Observation {
  /** OBX-1 */
  setId: string;
  /** OBX-2, e.g. NM, SN, ST, CWE. */
  valueType: string;
  /** OBX-3, the test: the analyzer's code, often with LOINC as the alternate triplet. */
  code: CodedElement;
  /** OBX-4 */
  subId: string;
  /** OBX-5, one entry per repetition; [] when empty (a pending or cancelled result). */
  values: ObservationValue[];
  /** OBX-6 */
  units: CodedElement;
  /** OBX-7 */
  referenceRange: ReferenceRange;
  /** OBX-8, the code of each non-empty repetition, e.g. ['H'] or ['L', 'A']. */
  abnormalFlags: string[];
  /** OBX-11 (HL7 table 0085): F final, P preliminary, C corrected, X cancelled, I pending, ... */
  resultStatus: string;
  /** OBX-14.1, HL7 DTM as sent. */
  observedAt: string;
  /** OBX-18.1, the equipment instance (analyzer) identifier. */
  equipmentId: string;
  /** OBX-19.1 (v2.5 on), when the analyzer measured. */
  analyzedAt: string;
  /** NTE segments that follow this OBX. */
  notes: Note[];
  /** Problems reading OBX-5 by its value type, e.g. "comparator in NM value". No values are quoted. */
  warnings: string[];
  segment: Hl7Segment;
}

const TEXT_TYPES = new Set(['ST', 'TX', 'FT', 'IS', 'ID', 'DT', 'TM', 'DTM', 'TS']);
const CODED_TYPES = new Set(['CE', 'CWE', 'CNE']);
const COMPARATORS = new Set<string>(['<', '>', '<=', '>=', '=', '<>']);
const NM_PATTERN = /^(<=|>=|<>|<|>|=)?\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/;
const NUMBER_PATTERN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const RANGE_PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:-|to)\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/i;

export function readObservation(obx: Hl7Segment): Observation {
  const valueType = obx.value(2, 1, 1).toUpperCase();
  const warnings: string[] = [];
  const values: ObservationValue[] = [];
  obx.repetitions(5).forEach((raw, index) => {
    if (raw !== '') values.push(readValue(obx, valueType, index + 1, raw, warnings));
  });

  return {
    setId: obx.value(1),
    valueType,
    code: readCoded(obx, 3),
    subId: obx.value(4),
    values,
    units: readCoded(obx, 6),
    referenceRange: readReferenceRange(obx.value(7)),
    abnormalFlags: obx.values(8, 1, 1).filter((flag) => flag !== ''),
    resultStatus: obx.value(11),
    observedAt: obx.value(14, 1, 1),
    equipmentId: obx.value(18, 1, 1, 1),
    analyzedAt: obx.value(19, 1, 1),
    notes: [],
    warnings,
    segment: obx,
  };
}

function readValue(obx: Hl7Segment, valueType: string, repetition: number, raw: string, warnings: string[]): ObservationValue {
  if (valueType === 'NM') return readNumeric(obx.value(5, repetition), raw, warnings);
  if (valueType === 'SN') return readStructuredNumeric(obx, repetition, raw, warnings);
  if (CODED_TYPES.has(valueType)) return { kind: 'coded', raw, coded: readCoded(obx, 5, repetition) };
  if (TEXT_TYPES.has(valueType)) return { kind: 'text', raw, text: obx.value(5, repetition) };
  warnings.push(valueType === '' ? 'OBX-2 (value type) is empty; OBX-5 kept as sent' : `value type ${valueType} is kept as sent`);
  return { kind: 'other', raw, text: obx.value(5, repetition) };
}

function readNumeric(text: string, raw: string, warnings: string[]): ObservationValue {
  const match = NM_PATTERN.exec(text.trim());
  if (match === null) {
    warnings.push('NM value is not a number; kept as sent');
    return { kind: 'other', raw, text };
  }
  const value = Number(match[2]);
  const comparator = match[1] as Comparator | undefined;
  if (comparator === undefined) return { kind: 'number', raw, value };
  warnings.push('comparator in NM value');
  return { kind: 'number', raw, value, comparator };
}

/** SN: comparator ^ number ^ separator or suffix ^ number. */
function readStructuredNumeric(obx: Hl7Segment, repetition: number, raw: string, warnings: string[]): ObservationValue {
  const part = (component: number): string => obx.value(5, repetition, component, 1).trim();
  const [comparatorText, first, separator, second] = [part(1), part(2), part(3), part(4)];
  const comparator = comparatorText === '' ? undefined : COMPARATORS.has(comparatorText) ? (comparatorText as Comparator) : null;
  const withComparator = comparator === undefined ? {} : { comparator: comparator as Comparator };
  const valid = comparator !== null && NUMBER_PATTERN.test(first) && (second === '' || NUMBER_PATTERN.test(second));

  if (valid && separator === '' && second === '') return { kind: 'number', raw, value: Number(first), ...withComparator };
  if (valid && separator === '+' && second === '') return { kind: 'number', raw, value: Number(first), suffix: '+', ...withComparator };
  if (valid && separator === '-' && second !== '') return { kind: 'range', raw, low: Number(first), high: Number(second), ...withComparator };
  if (valid && (separator === ':' || separator === '/') && second !== '') {
    return { kind: 'ratio', raw, numerator: Number(first), denominator: Number(second), separator, ...withComparator };
  }
  warnings.push('SN value does not have the form comparator^number^separator^number; kept as sent');
  return { kind: 'other', raw, text: obx.value(5, repetition) };
}

export function readReferenceRange(text: string): ReferenceRange {
  const match = RANGE_PATTERN.exec(text.trim());
  if (match === null) return { text };
  return { text, low: Number(match[1]), high: Number(match[2]) };
}

export function readNote(nte: Hl7Segment): Note {
  return { source: nte.value(2), comments: nte.values(3), segment: nte };
}
