import fc from 'fast-check';
import type { RxDocumentData, RxJsonSchema } from 'rxdb';
import { fillWithDefaultSettings } from 'rxdb';

import { entriesSchema, recordsSchema } from '../../../sync/replica/schemas.js';

/**
 * Schemas and value generators for the differential test of the SQLite storage against RxDB's
 * memory storage. Values come mostly from small pools, so that generated queries match, tie and
 * conflict often. The pools hold the strings that are hard to order: accents in composed and
 * decomposed form, case pairs, characters beyond U+FFFF (surrogate pairs in UTF-16), U+FF5E (above
 * the surrogates in UTF-16 but below them in UTF-8), trailing spaces and tabs (RxDB pads index
 * strings with spaces), empty strings and strings at their maxLength.
 */

export type TestDocument = Record<string, unknown> & { id: string };

export interface FieldSpec {
  /** Dotted path, as in a Mango selector. */
  path: string;
  type: 'string' | 'number' | 'boolean';
  /** Values for selectors; documents draw from the same values. */
  value: fc.Arbitrary<unknown>;
  /** Whether `$gt`/`$lt` make sense on the field (not for booleans). */
  ordered: boolean;
  /** Whether the field may be sorted on (not for fields holding arrays or objects). */
  sortable: boolean;
}

export interface DifferentialSubject {
  name: string;
  /** The schema as RxDB hands it to a storage: after fillWithDefaultSettings. */
  schema: RxJsonSchema<RxDocumentData<TestDocument>>;
  /** Index hints as an application passes them to find(); RxQuery prepends `_deleted`. */
  indexHints: string[][];
  fields: FieldSpec[];
  id: fc.Arbitrary<string>;
  /** Document content without the primary key and RxDB's own fields. */
  body: fc.Arbitrary<Record<string, unknown>>;
}

/** Characters chosen to break an order that is not JavaScript's UTF-16 code unit order. */
export const HARD_CHARACTERS = [
  'a', 'b', 'z', 'A', 'B', 'Z', '0', '9', ' ', '-', '.', '/', '|', '_', '~', '\t',
  'é', 'É', 'e\u0301', 'ü', 'ß', 'ø', 'Å', 'ı', 'İ', 'ǅ', '中', '\u00A0',
  '\uE000', '\uFB01', '\uFF5E', '\uFFFD', '😀', '👍🏽', '𝒜', '\u{10FFFD}',
];

function cutToLength(text: string, maxLength: number, keepSurrogatePairs: boolean): string {
  if (text.length <= maxLength) return text;
  let cut = text.slice(0, maxLength);
  const last = cut.charCodeAt(cut.length - 1);
  if (keepSurrogatePairs && last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/**
 * Generates strings of at most `maxLength` UTF-16 code units, as RxDB's index strings count them.
 * With `keepSurrogatePairs` false a cut may leave a lone high surrogate, as `slice()` does to a
 * name that ends in an emoji at the limit.
 */
export function hardString(maxLength: number, options: { minLength?: number; keepSurrogatePairs?: boolean } = {}): fc.Arbitrary<string> {
  const keepPairs = options.keepSurrogatePairs ?? true;
  const minLength = options.minLength ?? 0;
  const pieces = fc.array(fc.constantFrom(...HARD_CHARACTERS), { minLength: Math.min(minLength, 1), maxLength: 8 }).map((parts) => parts.join(''));
  const atMaxLength = fc
    .tuple(fc.constantFrom(...HARD_CHARACTERS), fc.constantFrom('a', 'z', ' ', '😀', 'é'))
    .map(([first, filler]) => (first + filler.repeat(maxLength)));
  const anyCodePoints = fc.string({ unit: 'binary', minLength, maxLength });
  return fc
    .oneof({ weight: 5, arbitrary: pieces }, { weight: 2, arbitrary: atMaxLength }, { weight: 1, arbitrary: anyCodePoints })
    .map((text) => cutToLength(text, maxLength, keepPairs))
    .filter((text) => text.length >= minLength);
}

function pooled<T>(pool: readonly T[], other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: other });
}

function pooledString(pool: readonly string[], maxLength: number, keepSurrogatePairs = true): fc.Arbitrary<string> {
  return pooled(pool, hardString(maxLength, { keepSurrogatePairs }));
}

const PATIENT_IDS = ['p1', 'p2', 'P1', 'p10', 'pé', 'pe\u0301', 'Pé', '😀', '𝒜b', '\uFF5Ea', '', 'a', 'a ', 'a\tb', 'z'.repeat(64), '😀'.repeat(32)];
const CODES = [
  'http://loinc.org|85353-1',
  'http://loinc.org|8867-4',
  'http://loinc.org|8310-5',
  'http://snomed.info/sct|Ä',
  'LOINC|8867-4',
  '|',
  '',
  'z'.repeat(120),
];
const INSTANTS = [
  '2026-12-01T10:00:00.000Z',
  '2026-12-01T09:59:59.999Z',
  '2026-12-01T10:00:00.001Z',
  '2026-12-01T10:00:00Z',
  '2025-01-01T00:00:00.000Z',
  '1970-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '',
  '9'.repeat(30),
];
const STATUSES = ['final', 'preliminary', 'amended', 'Final', 'entered-in-error'];
const ENTRY_TYPES = ['Observation', 'AuditEvent', 'observation', 'Öbservation', '', 'O'.repeat(40)];
const RECORD_TYPES = ['Patient', 'Encounter', 'AllergyIntolerance', 'patient', ''];
const WARD_IDS = ['ward-a', 'ward-b', 'Ward-A', 'wärd', '😀', '', 'w'.repeat(64)];
const MRNS = ['MRN-0001', 'mrn-0001', 'MRN-0002', '0001', 'É-1', '', '9'.repeat(64)];
const NAMES = ['muller ana', 'müller ana', 'mueller ana', 'muller', 'zoë', 'zoe\u0308', 'ana 😀', 'Ana', '', 'a'.repeat(200), `${'a'.repeat(199)}\uD83D`];
const LABELS = ['alpha', 'Alpha', 'ALPHA', 'älpha', 'beta', '😀', '😀😀😀😀😀', '', 'zzzzzzzzzz', 'a', 'a ', '\uFF5E'];
const SAMPLE_WARDS = ['w1', 'W1', 'w2', 'wé', '𝒜', '', 'wwwwwwww'];

const documentId = (prefix: string, maxLength: number) =>
  pooled(
    [`${prefix}/1`, `${prefix}/2`, `${prefix}/10`, `${prefix}/a`, `${prefix}/A`, `${prefix}/é`, `${prefix}/😀`, `${prefix}/\uFF5E`, `${prefix}/a ` ],
    hardString(maxLength, { minLength: 1 }),
  );

/** Generates numbers on the schema's 0.01 grid, both limits included, and never -0, which JSON cannot carry. */
function hundredths(min: number, max: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: min * 100, max: max * 100 }).map((cents) => (cents === 0 ? 0 : cents / 100)),
    fc.constantFrom(min, max, 0, 1, -1, 0.5),
  );
}

/** Selector values may lie outside the schema's range and off its grid, as user input does. */
function numberSelectorValue(min: number, max: number, integer: boolean): fc.Arbitrary<number> {
  const inRange = integer ? fc.integer({ min, max }) : hundredths(min, max);
  return fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, -1e9, 1e9, 2.5, 0.001) });
}

const resource = (types: readonly string[]) =>
  fc.record(
    {
      resourceType: fc.constantFrom(...types),
      id: hardString(20),
      status: fc.constantFrom(...STATUSES),
      value: fc.oneof(fc.integer({ min: -5, max: 300 }), fc.double({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x))),
    },
    { requiredKeys: ['resourceType', 'id'] },
  );

function fill(schema: object): RxJsonSchema<RxDocumentData<TestDocument>> {
  return fillWithDefaultSettings(schema as RxJsonSchema<TestDocument>) as RxJsonSchema<RxDocumentData<TestDocument>>;
}

const stringField = (path: string, value: fc.Arbitrary<string>): FieldSpec => ({ path, type: 'string', value, ordered: true, sortable: true });

export const entriesSubject: DifferentialSubject = {
  name: 'entries',
  schema: fill(entriesSchema),
  indexHints: [['patientId', 'code', 'effective'], ['resourceType', 'patientId', 'effective']],
  fields: [
    stringField('id', documentId('Observation', 100)),
    stringField('resourceType', pooledString(ENTRY_TYPES, 40)),
    stringField('patientId', pooledString(PATIENT_IDS, 64)),
    stringField('code', pooledString(CODES, 120)),
    stringField('effective', pooledString(INSTANTS, 30)),
    stringField('resource.status', fc.constantFrom(...STATUSES)),
    { path: 'resource.value', type: 'number', value: fc.oneof(fc.integer({ min: -5, max: 300 }), fc.constantFrom(0.5, 99.99)), ordered: true, sortable: true },
  ],
  id: documentId('Observation', 100),
  body: fc.record({
    resourceType: pooledString(ENTRY_TYPES, 40),
    patientId: pooledString(PATIENT_IDS, 64),
    code: pooledString(CODES, 120),
    effective: pooledString(INSTANTS, 30),
    resource: resource(['Observation', 'AuditEvent']),
  }),
};

export const recordsSubject: DifferentialSubject = {
  name: 'records',
  schema: fill(recordsSchema),
  indexHints: [['resourceType', 'patientId'], ['resourceType', 'wardId'], ['mrn'], ['nameNorm']],
  fields: [
    stringField('id', documentId('Patient', 100)),
    stringField('resourceType', pooledString(RECORD_TYPES, 40)),
    stringField('patientId', pooledString(PATIENT_IDS, 64)),
    stringField('wardId', pooledString(WARD_IDS, 64)),
    stringField('mrn', pooledString(MRNS, 64)),
    stringField('nameNorm', pooledString(NAMES, 200, false)),
    stringField('resource.status', fc.constantFrom(...STATUSES)),
  ],
  id: documentId('Patient', 100),
  body: fc.record({
    resourceType: pooledString(RECORD_TYPES, 40),
    patientId: pooledString(PATIENT_IDS, 64),
    wardId: pooledString(WARD_IDS, 64),
    mrn: pooledString(MRNS, 64),
    nameNorm: pooledString(NAMES, 200, false),
    resource: resource(['Patient', 'Encounter']),
  }),
};

/** A schema of the test's own with number, integer, boolean and nested fields and compound indexes. */
export const samplesSchema = {
  title: 'samples',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 24 },
    label: { type: 'string', maxLength: 10 },
    score: { type: 'number', minimum: -1000, maximum: 1000, multipleOf: 0.01 },
    count: { type: 'integer', minimum: 0, maximum: 100, multipleOf: 1 },
    active: { type: 'boolean' },
    nested: {
      type: 'object',
      properties: {
        ward: { type: 'string', maxLength: 8 },
        level: { type: 'integer' },
      },
      required: ['ward'],
    },
    note: { type: 'string' },
  },
  required: ['id', 'label', 'score', 'count', 'active', 'nested'],
  indexes: ['label', ['active', 'score', 'label'], ['nested.ward', 'count'], 'count'],
} as const;

export const samplesSubject: DifferentialSubject = {
  name: 'samples',
  schema: fill(samplesSchema),
  indexHints: [['label'], ['active', 'score', 'label'], ['nested.ward', 'count'], ['count']],
  fields: [
    stringField('id', pooledString(['s1', 's2', 'S1', 's10', 'sé', '😀', '\uFF5E', 's'], 24)),
    stringField('label', pooledString(LABELS, 10)),
    { path: 'score', type: 'number', value: numberSelectorValue(-1000, 1000, false), ordered: true, sortable: true },
    { path: 'count', type: 'number', value: numberSelectorValue(0, 100, true), ordered: true, sortable: true },
    { path: 'active', type: 'boolean', value: fc.boolean(), ordered: false, sortable: true },
    stringField('nested.ward', pooledString(SAMPLE_WARDS, 8)),
    { path: 'nested.level', type: 'number', value: fc.integer({ min: -3, max: 3 }), ordered: true, sortable: true },
    stringField('note', pooledString(['', 'note', 'Note', 'nöte', '😀'], 30)),
  ],
  id: pooled(['s1', 's2', 'S1', 's10', 'sé', '😀', '\uFF5E', 's'], hardString(24, { minLength: 1 })),
  body: fc.record(
    {
      label: pooledString(LABELS, 10),
      score: hundredths(-1000, 1000),
      count: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0, 100)),
      active: fc.boolean(),
      nested: fc.record({ ward: pooledString(SAMPLE_WARDS, 8), level: fc.integer({ min: -3, max: 3 }) }, { requiredKeys: ['ward'] }),
      note: pooledString(['', 'note', 'Note', 'nöte', '😀'], 30),
    },
    { requiredKeys: ['label', 'score', 'count', 'active', 'nested'] },
  ),
};

export const DIFFERENTIAL_SUBJECTS = [entriesSubject, recordsSubject, samplesSubject];
