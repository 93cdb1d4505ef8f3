import { describe, expect, it } from 'vitest';

import { parseAstmMessages, readAstmFrames } from '../../../../devices/astm/index.js';
import type { LabResultMapping, ReferenceRangeDraft, ResultUnit, ResultValue, ReviewReasonCode } from '../../../../devices/results/index.js';
import { mapAstmMessage } from '../../../../devices/results/index.js';
import { astmMessagesOf, fixture, loincOf, resultAt, resultsOf, reviewCodes, shippedProfile } from './support/fixtures.js';

/**
 * Every ASTM capture in test/fixtures/astm mapped with its shipped profile. The expected values
 * were written down by reading the captures (test/fixtures/astm/SOURCES.md). Timestamps are read
 * in Europe/Berlin, so summer times get +02:00 and winter times +01:00.
 */
const TIME_ZONE = 'Europe/Berlin';

interface ExpectedResult {
  readonly location: string;
  readonly key: string;
  readonly match: 'mapped' | 'ignored' | 'unmapped';
  readonly loinc?: string;
  readonly value: ResultValue;
  readonly unit: ResultUnit;
  readonly range?: ReferenceRangeDraft;
  readonly flags: readonly string[];
  readonly status: readonly [sent: string, fhir: string];
  readonly effective?: string;
  readonly review: readonly ReviewReasonCode[];
  readonly notes?: readonly string[];
}

interface CaptureCase {
  readonly file: string;
  readonly profile: string;
  readonly accession?: string;
  readonly instrumentSpecimenId?: string;
  readonly resultCount: number;
  readonly issued?: string;
  readonly groupNotes?: readonly string[];
  readonly results: readonly ExpectedResult[];
}

const CAPTURES: readonly CaptureCase[] = [
  {
    file: 'astm/senaite_abbott_afinion2.txt',
    profile: 'abbott-afinion-2',
    instrumentSpecimenId: '5',
    resultCount: 1,
    issued: '2024-12-06T14:12:35+01:00',
    results: [
      {
        location: 'R[1]',
        key: 'HbA1c',
        match: 'mapped',
        loinc: '4548-4',
        value: { kind: 'quantity', value: 5.9 },
        unit: { sent: '%', stored: '%' },
        flags: [],
        status: ['F', 'final'],
        effective: '2024-12-06T14:06:15+01:00',
        review: ['no-accession'],
      },
    ],
  },
  {
    file: 'astm/senaite_cobas_c111.txt',
    profile: 'roche-cobas-c111',
    instrumentSpecimenId: 'T20 10134GA D28^6',
    resultCount: 1,
    issued: '2023-08-03T13:17:13+02:00',
    results: [
      {
        location: 'R[1]',
        key: '413',
        match: 'mapped',
        value: { kind: 'quantity', value: 40.13 },
        unit: { sent: 'g/L', stored: 'g/L' },
        flags: ['N'],
        status: ['F', 'final'],
        effective: '2023-08-03T13:17:00+02:00',
        review: ['no-accession'],
        notes: [],
      },
    ],
  },
  {
    file: 'astm/senaite_cobas_c111_inline.decoded',
    profile: 'roche-cobas-c111',
    instrumentSpecimenId: 'T20-10143GA D07^2',
    resultCount: 1,
    results: [
      {
        location: 'R[1]',
        key: '550',
        match: 'mapped',
        value: { kind: 'quantity', value: 95.2 },
        unit: { sent: 'U/L', stored: 'U/L' },
        flags: ['N'],
        status: ['F', 'final'],
        effective: '2023-07-27T16:20:28+02:00',
        review: ['no-accession'],
      },
    ],
  },
  {
    file: 'astm/senaite_cobas_c311.txt',
    profile: 'roche-cobas-c311',
    accession: 'CL-PL-24-0370',
    instrumentSpecimenId: 'R1',
    resultCount: 7,
    issued: '2024-02-03T13:20:11+01:00',
    results: [
      { location: 'R[1]', key: '685/', match: 'mapped', value: { kind: 'quantity', value: 22.4 }, unit: { sent: 'U/l', stored: 'U/L' }, flags: ['A'], status: ['F', 'final'], review: [], notes: ['43'] },
      { location: 'R[3]', key: '712/', match: 'mapped', value: { kind: 'quantity', value: 4.1 }, unit: { sent: 'umol/l', stored: 'umol/L' }, flags: ['L'], status: ['F', 'final'], review: [], notes: ['0'] },
      { location: 'R[6]', key: '717/', match: 'mapped', value: { kind: 'quantity', value: 5.85 }, unit: { sent: 'mmol/l', stored: 'mmol/L' }, flags: ['N'], status: ['F', 'final'], review: [] },
      { location: 'R[7]', key: '690/', match: 'mapped', value: { kind: 'quantity', value: 34 }, unit: { sent: 'umol/l', stored: 'umol/L' }, flags: ['A'], status: ['F', 'final'], review: [], notes: ['43'] },
    ],
  },
  {
    file: 'astm/senaite_genexpert.txt',
    profile: 'cepheid-genexpert',
    accession: 'PR25A137',
    resultCount: 84,
    results: [
      {
        location: 'R[1]',
        key: 'Xpert^MTB',
        match: 'mapped',
        loinc: '38379-4',
        value: { kind: 'text', text: 'NOT DETECTED' },
        unit: { sent: '' },
        flags: [],
        status: ['F', 'final'],
        effective: '2025-05-14T13:21:03+02:00',
        review: [],
        notes: ['Notes Id# 118176 Sardani P Lantion CDU/Dr. A Marcil cp'],
      },
      { location: 'R[2]', key: 'Xpert^rpoB1', match: 'ignored', value: { kind: 'text', text: 'INVALID' }, unit: { sent: '' }, flags: [], status: ['', 'unknown'], review: [] },
      { location: 'R[3]', key: 'Xpert^rpoB1^Ct', match: 'ignored', value: { kind: 'quantity', value: 0 }, unit: { sent: '' }, flags: [], status: ['', 'unknown'], review: [] },
      { location: 'R[20]', key: 'Trace^MTB Trace', match: 'mapped', value: { kind: 'empty' }, unit: { sent: '' }, flags: [], status: ['F', 'final'], review: [] },
      { location: 'R[39]', key: 'RIF^RIF Resistance', match: 'mapped', value: { kind: 'empty' }, unit: { sent: '' }, flags: [], status: ['F', 'final'], review: [] },
      { location: 'R[84]', key: 'RIF^IS1081-IS6110^EndPt', match: 'ignored', value: { kind: 'quantity', value: 3 }, unit: { sent: '' }, flags: [], status: ['', 'unknown'], review: [] },
    ],
  },
  {
    file: 'astm/senaite_mini_vidas_mock.txt',
    profile: 'biomerieux-mini-vidas',
    accession: 'Z1G021SCR',
    resultCount: 1,
    results: [
      {
        location: 'R[1]',
        key: 'HBCT',
        match: 'mapped',
        loinc: '16933-4',
        value: { kind: 'quantity', value: 0.05 },
        unit: { sent: '' },
        flags: [],
        status: ['Positif', 'unknown'],
        effective: '2024-10-25T18:35:00+02:00',
        review: ['status-needs-review'],
      },
    ],
  },
  {
    file: 'astm/senaite_spotchem_el_mock.txt',
    profile: 'arkray-spotchem-el',
    accession: '1DC042FP',
    resultCount: 3,
    results: [
      { location: 'R[1]', key: 'Na', match: 'mapped', loinc: '2951-2', value: { kind: 'quantity', value: 131 }, unit: { sent: 'mmol/L', stored: 'mmol/L' }, flags: [], status: ['', 'unknown'], effective: '2024-10-29T13:08:00+01:00', review: ['status-needs-review'] },
      { location: 'R[2]', key: 'K', match: 'mapped', loinc: '2823-3', value: { kind: 'quantity', value: 9.7 }, unit: { sent: 'mmol/L', stored: 'mmol/L' }, flags: [], status: ['', 'unknown'], review: ['status-needs-review'] },
      { location: 'R[3]', key: 'Cl', match: 'mapped', loinc: '2075-0', value: { kind: 'quantity', value: 96 }, unit: { sent: 'mmol/L', stored: 'mmol/L' }, flags: [], status: ['', 'unknown'], review: ['status-needs-review'] },
    ],
  },
  {
    file: 'astm/senaite_pentra_xlr.txt',
    profile: 'horiba-pentra-xlr',
    accession: 'S1234',
    resultCount: 21,
    issued: '2022-07-27T12:15:51+02:00',
    results: [
      {
        location: 'R[1]',
        key: 'WBC',
        match: 'mapped',
        loinc: '6690-2',
        value: { kind: 'quantity', value: 8.5 },
        unit: { sent: '1', stored: '10*3/uL' },
        flags: [],
        status: ['W', 'preliminary'],
        effective: '2022-07-27T12:15:50+02:00',
        review: ['status-needs-review'],
        notes: ['Alarm_WBC LMNE- BASO+ LL NL LN NO SL1', 'LARGE IMMATURE CELL NRBCs'],
      },
      { location: 'R[4]', key: 'MON#', match: 'mapped', loinc: '742-7', value: { kind: 'quantity', value: 0.15 }, unit: { sent: '1', stored: '10*3/uL' }, flags: ['L'], status: ['W', 'preliminary'], review: ['status-needs-review'] },
      {
        location: 'R[10]',
        key: 'BAS#',
        match: 'mapped',
        loinc: '704-7',
        value: { kind: 'text', text: '-----' },
        unit: { sent: '1', stored: '10*3/uL' },
        flags: ['HH'],
        status: ['X', 'cancelled'],
        review: ['unparseable-value', 'critical-flag'],
      },
      { location: 'R[11]', key: 'BAS%', match: 'mapped', loinc: '706-2', value: { kind: 'text', text: '-----' }, unit: { sent: '1', stored: '%' }, flags: [], status: ['X', 'cancelled'], review: ['unparseable-value'] },
      { location: 'R[12]', key: 'RBC', match: 'mapped', loinc: '789-8', value: { kind: 'quantity', value: 4.65 }, unit: { sent: '1', stored: '10*6/uL' }, flags: [], status: ['F', 'final'], review: [] },
      { location: 'R[21]', key: 'RDWSD', match: 'mapped', loinc: '21000-5', value: { kind: 'quantity', value: 43 }, unit: { sent: '1', stored: 'fL' }, flags: [], status: ['F', 'final'], review: [] },
    ],
  },
  {
    file: 'astm/senaite_sysmex_xn550.txt',
    profile: 'sysmex-xn550',
    instrumentSpecimenId: '27^M',
    resultCount: 41,
    results: [
      {
        location: 'R[1]',
        key: 'WBC',
        match: 'mapped',
        loinc: '6690-2',
        value: { kind: 'quantity', value: 8.13 },
        unit: { sent: '10*3/uL', stored: '10*3/uL' },
        flags: ['N'],
        status: ['F', 'final'],
        effective: '2024-06-27T13:54:07+02:00',
        review: ['no-accession'],
      },
      { location: 'R[4]', key: 'HCT', match: 'mapped', loinc: '4544-3', value: { kind: 'quantity', value: 22.7 }, unit: { sent: '%', stored: '%' }, flags: ['L'], status: ['F', 'final'], review: ['no-accession'] },
      { location: 'R[24]', key: 'Eosinophilia', match: 'mapped', value: { kind: 'empty' }, unit: { sent: '' }, flags: ['A'], status: ['F', 'final'], review: ['no-accession'] },
      { location: 'R[26]', key: 'Blasts/Abn_Lympho?', match: 'mapped', value: { kind: 'quantity', value: 40 }, unit: { sent: '' }, flags: [], status: ['F', 'final'], review: ['no-accession'] },
      {
        location: 'R[38]',
        key: 'SCAT_WDF',
        match: 'ignored',
        value: { kind: 'text', text: 'PNG\\20240628\\2024_06_27_13_54_27_WDF.PNG' },
        unit: { sent: '' },
        flags: ['N'],
        status: ['F', 'final'],
        review: [],
      },
    ],
  },
  {
    file: 'astm/senaite_yumizen_h500.txt',
    profile: 'horiba-yumizen-h500',
    accession: 'PX440N',
    resultCount: 21,
    issued: '2023-03-29T11:07:49+02:00',
    groupNotes: ['CONTROL_FAILED PLT_ABOVE_TOLERANCE', 'ABXdifftrol N'],
    results: [
      {
        location: 'R[1]',
        key: 'MCV',
        match: 'mapped',
        loinc: '787-2',
        value: { kind: 'quantity', value: 90.6 },
        unit: { sent: 'um3', stored: 'fL' },
        range: { text: '84.0 - 94.0', low: 84, high: 94 },
        flags: ['N'],
        status: ['F', 'final'],
        effective: '2023-03-29T11:06:31+02:00',
        review: [],
      },
      { location: 'R[2]', key: 'NEU#', match: 'mapped', loinc: '751-8', value: { kind: 'quantity', value: 4.2 }, unit: { sent: '10E3/uL', stored: '10*3/uL' }, range: { text: '3.03 - 4.83', low: 3.03, high: 4.83 }, flags: ['N'], status: ['F', 'final'], review: [] },
      { location: 'R[8]', key: 'PLT', match: 'mapped', loinc: '777-3', value: { kind: 'quantity', value: 308 }, unit: { sent: '10E3/uL', stored: '10*3/uL' }, range: { text: '231 - 291', low: 231, high: 291 }, flags: ['N'], status: ['F', 'final'], review: [] },
      { location: 'R[12]', key: 'HGB', match: 'mapped', loinc: '718-7', value: { kind: 'quantity', value: 13.3 }, unit: { sent: 'g/dL', stored: 'g/dL' }, range: { text: '12.7 - 13.7', low: 12.7, high: 13.7 }, flags: ['N'], status: ['F', 'final'], review: [] },
    ],
  },
];

function mapCapture(capture: CaptureCase): LabResultMapping {
  const bytes = fixture(capture.file);
  const messages = astmMessagesOf(bytes);
  expect(messages, `${capture.file}: messages`).toHaveLength(1);
  return mapAstmMessage(messages[0] as (typeof messages)[number], { raw: bytes, profile: shippedProfile(capture.profile), timeZone: TIME_ZONE });
}

describe('ASTM captures mapped with their shipped profiles', () => {
  for (const capture of CAPTURES) {
    it(`${capture.file}`, () => {
      const mapping = mapCapture(capture);
      const [group] = mapping.groups;

      expect(mapping.profileId).toBe(capture.profile);
      expect(mapping.groups).toHaveLength(1);
      expect(group?.accession).toBe(capture.accession);
      expect(group?.accessionSource).toBe(capture.accession === undefined ? undefined : 'O.3');
      expect(group?.instrumentSpecimenId).toBe(capture.instrumentSpecimenId);
      expect(group?.results).toHaveLength(capture.resultCount);
      if (capture.issued !== undefined) expect(group?.issued).toBe(capture.issued);
      if (capture.groupNotes !== undefined) expect(group?.notes).toEqual(capture.groupNotes);

      for (const expected of capture.results) {
        const result = resultAt(mapping, expected.location);
        const where = `${capture.file} ${expected.location}`;
        expect(result.testCode.key, `${where} key`).toBe(expected.key);
        expect(result.match.kind, `${where} match`).toBe(expected.match);
        expect(loincOf(result), `${where} LOINC`).toBe(expected.loinc);
        expect(result.value, `${where} value`).toEqual(expected.value);
        expect(result.unit, `${where} unit`).toEqual(expected.unit);
        expect(result.referenceRange, `${where} range`).toEqual(expected.range);
        expect(result.interpretation.map((flag) => flag.sent), `${where} flags`).toEqual(expected.flags);
        expect([result.status.sent, result.status.fhir], `${where} status`).toEqual(expected.status);
        if (expected.effective !== undefined) expect(result.effectiveDateTime, `${where} time`).toBe(expected.effective);
        expect(reviewCodes(result), `${where} review`).toEqual(expected.review);
        if (expected.notes !== undefined) expect(result.notes, `${where} notes`).toEqual(expected.notes);
        expect(result.accession, `${where} accession`).toBe(capture.accession);
      }
    });
  }

  it('GeneXpert: only the assay results are stored', () => {
    const mapping = mapCapture(CAPTURES.find((capture) => capture.profile === 'cepheid-genexpert') as CaptureCase);
    const kinds = resultsOf(mapping).map((result) => result.match.kind);

    expect(kinds.filter((kind) => kind === 'mapped')).toHaveLength(3);
    expect(kinds.filter((kind) => kind === 'ignored')).toHaveLength(81);
  });

  it('Yumizen H500: a quality-control run is marked', () => {
    const mapping = mapCapture(CAPTURES.find((capture) => capture.profile === 'horiba-yumizen-h500') as CaptureCase);

    expect(mapping.processingId).toBe('Q');
    expect(mapping.notices.some((notice) => notice.includes('quality-control'))).toBe(true);
  });
});

describe('Mindray BS-240 log mapped with its shipped profile', () => {
  const bytes = fixture('astm/astmio_mindray_bs240_log.decoded');
  // The log has one message per frame. Frames the logger corrupted fail their checksum.
  const frames = readAstmFrames(bytes).flatMap((token) => (token.kind === 'frame' && token.frame.checksumValid ? [token.frame] : []));
  const profile = shippedProfile('mindray-bs-240');
  const mapFrame = (index: number, accessionField?: 'O.3' | 'O.4'): LabResultMapping => {
    const frame = frames[index];
    if (!frame) throw new Error(`no valid frame ${index}`);
    const [message] = parseAstmMessages(frame.text);
    if (!message) throw new Error(`frame ${index} holds no message`);
    return mapAstmMessage(message, { raw: frame.raw, profile, timeZone: TIME_ZONE, ...(accessionField ? { astmAccessionField: accessionField } : {}) });
  };

  it('maps every result of every valid frame', () => {
    expect(frames).toHaveLength(130);
    const results = frames.flatMap((_, index) => resultsOf(mapFrame(index)));

    expect(results.length).toBeGreaterThan(frames.length);
    expect(results.filter((result) => result.match.kind !== 'mapped').map((result) => result.testCode.key)).toEqual([]);
  });

  it('reads the barcode from O.4 as its profile says', () => {
    // Valid frame 0 is the log's second frame: O|476|8^^|2025105875|...
    expect(mapFrame(0).groups[0]?.accession).toBe('2025105875');
    expect(mapFrame(0).groups[0]?.accessionSource).toBe('O.4');
    expect(mapFrame(0, 'O.3').groups[0]?.accession).toBe('8');
  });

  it('maps creatinine and urea of sample 8', () => {
    const mapping = mapFrame(0);
    const creatinine = resultAt(mapping, 'R[1]');
    const urea = resultAt(mapping, 'R[2]');

    expect(creatinine.testCode.key).toBe('CREAS^Creatinine (Sarcosine Oxidase Method)');
    expect(loincOf(creatinine)).toBe('2160-0');
    expect(creatinine.value).toEqual({ kind: 'quantity', value: 3.216365 });
    expect(creatinine.sentValue).toBe('3.216365^^^^');
    expect(creatinine.unit).toEqual({ sent: 'mg/dL', stored: 'mg/dL' });
    // The BS-240 sends its time in R.12 (test started) and leaves R.13 empty, so O.7 is used.
    expect(creatinine.effectiveDateTime).toBe('2025-07-01T14:52:15+02:00');
    expect(reviewCodes(creatinine)).toEqual([]);
    expect(loincOf(urea)).toBe('3091-6');
    expect(urea.value).toEqual({ kind: 'quantity', value: 72.506096 });
  });

  it('takes O.7 when R.13 is empty and stores IU/mL as [IU]/mL', () => {
    // Valid frame 1: sample 9, whose R|168 (AST/ALT ratio) has no R.13 and no unit.
    const ratio = resultAt(mapFrame(1), 'R[5]');
    expect(ratio.testCode.key).toBe('^AST/ALT');
    expect(ratio.unit).toEqual({ sent: '' });
    expect(ratio.effectiveDateTime).toBe('2025-07-01T14:53:10+02:00');

    const rheumatoidFactor = frames.flatMap((_, index) => resultsOf(mapFrame(index))).find((result) => result.testCode.key === '^RF');
    expect(rheumatoidFactor?.unit).toEqual({ sent: 'IU/mL', stored: '[IU]/mL' });
  });
});
