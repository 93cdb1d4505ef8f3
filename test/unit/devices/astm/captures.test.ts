import { describe, expect, it } from 'vitest';

import type { AstmLinkWarningCode, AstmParseWarningCode } from '../../../../devices/astm/index.js';
import { AstmParseError, parseAstmMessage, parseAstmMessages, readAstmFrames } from '../../../../devices/astm/index.js';
import type { ExpectedValues } from './support/expectations.js';
import { expectValues, recordTypes } from './support/expectations.js';
import { captureFrames, captureText, ENQ, EOT, LinkHarness, readFixture, replayAsAnalyzer } from './support/link-harness.js';

/**
 * Expected values written down by reading each capture (see test/fixtures/astm/SOURCES.md).
 * Field paths follow LIS2-A2 numbering: the record type is field 1, `R[3].4` is the data value of
 * the third R record, `R.3.4` the fourth component of the first R record's test id.
 */
interface CaptureCase {
  readonly file: string;
  readonly frames: number;
  /** Warnings the link gives while an analyzer sends the capture frame by frame. */
  readonly linkWarnings: readonly AstmLinkWarningCode[];
  readonly records: string;
  readonly parseWarnings?: readonly AstmParseWarningCode[];
  readonly values: ExpectedValues;
}

const TEST_ID = (code: string): string[] => ['', '', '', code];

const CAPTURES: readonly CaptureCase[] = [
  {
    file: 'senaite_abbott_afinion2.txt',
    frames: 1,
    linkWarnings: ['nonstandard-frame-end'],
    records: 'HPORL',
    values: {
      'H.2': '\\^&',
      'H.5': ['Afinion 2 Analyzer', '', 'AF20052397'],
      'H.12': 'P',
      'H.13': '1',
      'H.14': '20241206141235',
      'P.2': '1',
      'P.3': '',
      'P.4': '3643',
      'P.9': 'U',
      'O.3': '',
      'O.4': '5',
      'O.5': TEST_ID('HbA1c'),
      'O.12': 'N',
      'O.16': ['', 'O'],
      'O.24': ['', '10228413'],
      'O.26': 'F',
      'R.3': TEST_ID('HbA1c'),
      'R.4': '5.9',
      'R.5': '%',
      'R.7': '',
      'R.9': 'F',
      'R.11': '3643',
      'R.13': '20241206140615',
      'L.3': 'N',
    },
  },
  {
    file: 'senaite_cobas_c111.txt',
    frames: 7,
    linkWarnings: ['nonstandard-frame-end'],
    records: 'HPORCML',
    values: {
      'H.5': ['SENAITE', 'Roche', 'c111', '4.2.2.1730', '1', '13147'],
      'H.10': 'host',
      'H.11': ['RSUPL', 'REAL'],
      'H.12': 'P',
      'H.13': '1',
      'H.14': '20230803131713',
      'O.3': '',
      'O.4': ['T20 10134GA D28', '', '6'],
      'O.6': 'S',
      'O.12': 'N',
      'O.23': '20230803131713',
      'O.26': 'F',
      'R.3': TEST_ID('413'),
      'R.4': '40.13',
      'R.5': 'g/L',
      'R.7': 'N',
      'R.9': 'F',
      'R.11': '$SYS$',
      'R.13': '20230803131700',
      'C.3': 'I',
      'C.4': '',
      'C.5': 'I',
      'M.3': ['RR', 'BM', 'c111', '1'],
      'M.4': '-21',
      'M.5': [['-21'], ['-21'], ['1'], ['1'], ['1'], ['-1'], ['-33'], ['-37'], ['-38'], ['-38'], ['-42'], ['-42'], ['-42'], ['-41'], ['-42'], ['-43'], ['140'], ['141']],
      'M.6': '0.018514',
      'L.3': 'N',
    },
  },
  {
    file: 'senaite_cobas_c111_inline.decoded',
    frames: 7,
    linkWarnings: [],
    records: 'HPORCML',
    values: {
      'H.5': ['C111', 'Roche', 'c111', '4.2.2.1730', '1', '13147'],
      'H.14': '20230727162028',
      'O.4': ['T20-10143GA D07', '', '2'],
      'O.6': 'R',
      'R.3.4': '550',
      'R.4': '95.2',
      'R.5': 'U/L',
      'R.7': 'N',
      'R.9': 'F',
      'M.4': '137',
      'M.5': [
        ...['137', '136', '430', '421', '414', '409', '590', '615', '656', '691', '719', '744', '763', '776', '786', '795', '942'],
        ...['998', '1032', '1055', '1071', '1087', '1106', '1121', '1136', '1154', '1168', '1185', '1199', '1219', '1237', '1252', '1271', '1287'],
      ].map((value) => [value]),
      'M.6': '0.005564',
    },
  },
  {
    file: 'senaite_cobas_c311.txt',
    frames: 1,
    linkWarnings: ['oversized-frame'],
    records: 'HPO' + 'RC'.repeat(7) + 'L',
    values: {
      'H.5': ['c311', '1'],
      'H.10': 'host',
      'H.11': ['RSUPL', 'REAL'],
      'H.12': 'P',
      'H.13': '1',
      'H.14': '',
      'P.2': '1',
      'O.3': ['11625', 'CL-PL-24-0370' + ' '.repeat(9), '1', '', '004'],
      'O.4': 'R1',
      'O.5': ['685/', '687/', '712/', '158/', '735/', '717/', '690/'].map(TEST_ID),
      'O.6': 'R',
      'O.12': 'N',
      'O.14': ['', '', ''],
      'O.16': 'SC',
      'O.19': 'labo  ',
      'O.23': '20240203132011',
      'O.26': 'F',
      'R[1].3': TEST_ID('685/'),
      'R[1].4': '22.4',
      'R[1].5': 'U/l',
      'R[1].7': 'A',
      'R[1].9': 'F',
      'R[1].14': 'P1',
      'R[2].4': '15.0',
      'R[2].7': 'N',
      'R[3].4': '4.1',
      'R[3].5': 'umol/l',
      'R[3].7': 'L',
      'R[4].4': '301',
      'R[5].4': '1.6',
      'R[6].4': '5.85',
      'R[6].5': 'mmol/l',
      'R[7].3.4': '690/',
      'R[7].4': '34',
      'R[7].7': 'A',
      'C[1].4': '43',
      'C[2].4': '0',
      'C[7].4': '43',
      'L.3': 'N',
    },
  },
  {
    file: 'senaite_genexpert.txt',
    frames: 1,
    linkWarnings: ['oversized-frame', 'nonstandard-frame-end'],
    records: 'HPORC' + 'R'.repeat(19) + 'C' + 'R'.repeat(19) + 'C' + 'R'.repeat(45) + 'L',
    values: {
      'H.2': '@^\\',
      'H.3': 'URM-8lT4abZA-06',
      'H.5': ['.806149 Happy Hospital', 'GeneXpert', '4.8'],
      'H.10': 'HNH-SENAITE',
      'H.12': 'P',
      'H.13': '1394-97',
      'H.14': '20250516125515',
      'P.6': ['', '', '', '', ''],
      'O.3': 'PR25A137',
      'O.5': TEST_ID('MTB-RIF'),
      'O.6': 'R',
      'O.7': '20250514121638',
      'O.16': 'ORH',
      'O.26': 'F',
      'R[1].3': ['', 'MTB-RIF', '', 'Xpert', 'Xpert MTB-RIF Ultra', '4', 'MTB', ''],
      'R[1].4': ['NOT DETECTED', ''],
      'R[1].9': 'F',
      'R[1].11': 'John Doe',
      'R[1].12': '20250514121638',
      'R[1].13': '20250514132103',
      'R[1].14': ['Cepheid-44413S0', '806149', '653624', '831583371', '56401', '20250525'],
      'C[1].4': ['Notes', '', 'Id# 118176 Sardani P Lantion CDU/Dr. A Marcil cp'],
      'R[2].3.7': 'rpoB1',
      'R[2].4.1': 'INVALID',
      'R[3].3.8': 'Ct',
      'R[3].4': ['', '0.0'],
      'R[39].2': '39',
      'R[39].3.4': 'RIF',
      'R[39].3.7': 'RIF Resistance',
      'R[84].2': '84',
      'R[84].3.7': 'IS1081-IS6110',
      'R[84].3.8': 'EndPt',
      'R[84].4': ['', '3.0'],
    },
  },
  {
    file: 'senaite_pentra_xlr.txt',
    frames: 28,
    linkWarnings: ['nonstandard-frame-end'],
    records: 'HPORCC' + 'R'.repeat(18) + 'C' + 'RR' + 'L',
    values: {
      'H.5': 'ABX',
      'H.12': 'P',
      'H.13': 'E1394-97',
      'H.14': '20220727121551',
      'P.6': ['Mohale', 'Rita'],
      'P.8': '19771201',
      'P.9': 'F',
      'O.3': ['S1234', '00', '00'],
      'O.5': TEST_ID('DIF'),
      'O.8': '202205270000',
      'O.9': '202205260000',
      'O.16': 'Standard',
      'O.26': 'F',
      'C[1].4': ['Alarm_WBC', 'LMNE-', 'BASO+', 'LL', 'NL', 'LN', 'NO', 'SL1'],
      'C[2].4': ['LARGE IMMATURE CELL', 'NRBCs'],
      'C[3].4': 'PLATELET AGGREGATS',
      ...pentraResults(),
    },
  },
  {
    file: 'senaite_sysmex_xn550.txt',
    frames: 1,
    linkWarnings: ['oversized-frame', 'nonstandard-frame-end'],
    records: 'HPCOC' + 'R'.repeat(41) + 'CL',
    values: {
      'H.5': ['    XN-550', '00-24', '22723', '', '', '', 'BD634545'],
      'H.13': 'E1394-97',
      'H.14': '',
      'P.5': '37182',
      'P.6': ['', 'Jim', 'Brown'],
      'P.8': '19870626',
      'P.9': 'M',
      'P.14': ['', 'DR.1'],
      'P.26': ['', '', '', 'WEST'],
      'C[1].4': 'POST HD',
      'O.3': '',
      'O.4': ['', '', ' '.repeat(20) + '27', 'M'],
      'O.5': ['WBC', 'RBC', 'HGB', 'HCT', 'MCV', 'MCH', 'MCHC', 'PLT', 'RDW-SD', 'RDW-CV', 'MPV', 'NEUT#', 'LYMPH#', 'MONO#', 'EO#', 'BASO#', 'NEUT%', 'LYMPH%', 'MONO%', 'EO%', 'BASO%', 'IG#', 'IG%'].map(
        (code) => ['', '', '', '', code],
      ),
      'O.12': 'N',
      'O.26': 'F',
      'R[1].3': ['', '', '', '', 'WBC', '1'],
      'R[1].4': '8.13',
      'R[1].5': '10*3/uL',
      'R[1].7': 'N',
      'R[1].9': 'F',
      'R[1].13': '20240627135407',
      'R[2].4': '2.60',
      'R[2].5': '10*6/uL',
      'R[3].4': '8.0',
      'R[3].5': 'g/dL',
      'R[4].4': '22.7',
      'R[4].5': '%',
      'R[4].7': 'L',
      'R[5].3.5': 'MCV',
      'R[5].4': '87.3',
      'R[5].5': 'fL',
      'R[12].3.5': 'EO%',
      'R[12].4': '22.1',
      'R[12].7': 'H',
      'R[24].3.5': 'Eosinophilia',
      'R[24].4': '',
      'R[24].7': 'A',
      'R[26].3.5': 'Blasts/Abn_Lympho?',
      'R[26].4': '40',
      // &R& is the escape for the repeat delimiter '\': the values are Windows paths, one repetition each.
      'R[38].3.5': 'SCAT_WDF',
      'R[38].4': 'PNG\\20240628\\2024_06_27_13_54_27_WDF.PNG',
      'R[39].3.5': 'SCAT_WDF-CBC',
      'R[39].4': 'PNG\\20240628\\2024_06_27_13_54_27_WDF_CBC.PNG',
      'R[40].3.5': 'DIST_RBC',
      'R[40].4': 'PNG\\20240628\\2024_06_27_13_54_27_RBC.PNG',
      'R[41].3.5': 'DIST_PLT',
      'R[41].4': 'PNG\\20240628\\2024_06_27_13_54_27_PLT.PNG',
      'L.3': 'N',
    },
  },
  {
    file: 'senaite_yumizen_h500.txt',
    frames: 31,
    linkWarnings: ['nonstandard-frame-end'],
    records: 'HPOCC' + 'MMMM' + 'R'.repeat(21) + 'L',
    values: {
      'H.5': ['H500', '910YOXH02826', '2.2.2.2b'],
      'H.12': 'Q',
      'H.13': 'LIS2-A2',
      'H.14': '20230329110749',
      'O.3': 'PX440N',
      'O.5': TEST_ID('DIF'),
      'O.6': 'R',
      'O.7': '20230329110631',
      'O.16': ['CTRL', '', 'CTRL MEDIUM'],
      'O.26': 'F',
      'C[1].4': ['CONTROL_FAILED', '', 'PLT_ABOVE_TOLERANCE'],
      'C[2].4': 'ABXdifftrol N',
      'C[2].5': 'G',
      'M[1].3': 'HISTOGRAM',
      'M[1].4': 'RBC/PLT',
      'M[1].5': 'RbcAlongRes',
      'M[1].6': ['FLOATLE-stream/deflate:base64', 'Y2AAgW5nMNVg6gIkHUBMAA=='],
      'M[3].3': 'MATRIX',
      'M[4].3': 'REAGENT',
      'M[4].4': [['CLEANER'], ['DILUENT'], ['LYSE']],
      'M[4].5': [
        ['221114I1*', '20230317000000', '20230617'],
        ['220729H1', '20230322000000', '20230729'],
        ['221026M11', '20230327000000', '20230527'],
      ],
      'R[1].3': ['', '', '', 'MCV', '787-2'],
      'R[1].4': '90.6',
      'R[1].5': 'um3',
      'R[1].6': ['84.0 - 94.0', 'REFERENCE_RANGE'],
      'R[1].7': 'N',
      'R[1].9': 'F',
      'R[1].11': ['MATYL', '', 'USER'],
      'R[1].12': '20230329110631',
      'R[8].3.4': 'PLT',
      'R[8].4': '308',
      'R[8].6.1': '231 - 291',
      'R[21].3.4': 'EOS%',
      'R[21].4': '5.0',
    },
  },
  {
    file: 'senaite_mini_vidas_mock.txt',
    frames: 5,
    linkWarnings: ['nonstandard-frame-end'],
    records: 'HPORL',
    parseWarnings: ['repaired-delimiter-definition'],
    values: {
      'H.2': '\\\\^&',
      'H.5': ['miniVidas', 'biomerieux', '1.0.0'],
      'H.14': '20241025183500',
      'P.6': 'test_patient',
      'O.3': 'Z1G021SCR',
      'O.5': 'Anti-HBc Total II',
      'O.23': '20241025183500',
      'R.3': 'HBCT',
      'R.4': '0.05',
      'R.9': 'Positif',
      'R.13': '20241025183500',
    },
  },
  {
    file: 'senaite_spotchem_el_mock.txt',
    frames: 6,
    linkWarnings: ['nonstandard-frame-end'],
    records: 'HORRRL',
    parseWarnings: ['repaired-delimiter-definition'],
    values: {
      'H.5': ['SE-1520', 'Spotchem', '1.0.0'],
      'H.14': '20241029130800',
      'O.3': '1DC042FP',
      'O.5': 'B. Plasma',
      'O.8': '20241029130800',
      'R[1].3': 'Na',
      'R[1].4': '131.0',
      'R[1].5': 'mmol/L',
      'R[2].3': 'K',
      'R[2].4': '9.7',
      'R[3].3': 'Cl',
      'R[3].4': '96.0',
      'R[3].13': '20241029130800',
    },
  },
];

/** Lists the expected values of the Pentra's 21 results: test name, LOINC code, value, abnormal flag, result status. */
function pentraResults(): ExpectedValues {
  const rows: [string, string, string, string, string][] = [
    ['WBC', '804-5', '8.5', '', 'W'],
    ['LYM#', '731-0', '3.29', '', 'W'],
    ['LYM%', '736-9', '38.6', '', 'W'],
    ['MON#', '742-7', '0.15', 'L', 'W'],
    ['MON%', '744-3', '1.8', '', 'W'],
    ['NEU#', '751-8', '4.62', '', 'W'],
    ['NEU%', '770-8', '54.2', '', 'W'],
    ['EOS#', '711-2', '0.46', '', 'W'],
    ['EOS%', '713-8', '5.4', '', 'W'],
    ['BAS#', '704-7', '-----', 'HH', 'X'],
    ['BAS%', '706-2', '-----', '', 'X'],
    ['RBC', '789-9', '4.65', '', 'F'],
    ['HGB', '717-9', '14.0', '', 'F'],
    ['HCT', '4544-3', '40.9', '', 'F'],
    ['MCV', '787-2', '88', '', 'F'],
    ['MCH', '785-6', '30.1', '', 'F'],
    ['MCHC', '786-4', '34.2', '', 'F'],
    ['RDW', '788-0', '13.5', '', 'F'],
    ['PLT', '777-3', '234', '', 'F'],
    ['MPV', '776-5', '10.2', '', 'F'],
    ['RDWSD', '2100-5', '43', '', 'F'],
  ];
  return Object.fromEntries(
    rows.flatMap(([name, loinc, value, flag, status], index) => [
      [`R[${index + 1}].3`, ['', '', '', name, loinc, '1']],
      [`R[${index + 1}].4`, value],
      [`R[${index + 1}].5`, '1'],
      [`R[${index + 1}].7`, flag],
      [`R[${index + 1}].9`, status],
      [`R[${index + 1}].11`, 'NNE NNEMT'],
    ]),
  );
}

describe('analyzer captures', () => {
  for (const capture of CAPTURES) {
    describe(capture.file, () => {
      const bytes = readFixture(`astm/${capture.file}`);

      it('has frames with valid checksums', () => {
        const frames = captureFrames(bytes);
        expect(frames).toHaveLength(capture.frames);
        expect(frames.filter((frame) => !frame.checksumValid)).toEqual([]);
      });

      it('parses into the expected records and values', () => {
        const message = parseAstmMessage(captureText(bytes));

        expect(recordTypes(message)).toBe(capture.records);
        expect(message.warnings.map((warning) => warning.code)).toEqual(capture.parseWarnings ?? []);
        expectValues(message, capture.values);
      });

      if (capture.file === 'senaite_yumizen_h500.txt') return;

      it('arrives whole through the link when an analyzer sends it', () => {
        const harness = new LinkHarness();
        const replay = replayAsAnalyzer(
          harness,
          captureFrames(bytes).map((frame) => frame.raw),
        );

        expect(replay).toEqual({ acked: capture.frames, naks: 0, abandoned: false });
        expect(harness.messages).toHaveLength(1);
        expect(harness.messages[0]?.text.equals(captureText(bytes))).toBe(true);
        expect(harness.failures).toEqual([]);
        expect(harness.warnings.map((warning) => warning.code)).toEqual(capture.linkWarnings);
      });

      it('arrives whole through the link as one stream', () => {
        const harness = new LinkHarness();
        harness.feed(Buffer.concat([ENQ, bytes, EOT]));

        expect(harness.replies).toEqual(Array(capture.frames + 1).fill('ACK'));
        expect(harness.messages.map((message) => message.text.equals(captureText(bytes)))).toEqual([true]);
      });
    });
  }

  it('NAKs the Yumizen frames whose frame number restarts at 1 and stores nothing', () => {
    // Frames 6 to 8 of this capture (the M records) all carry frame number 1 where 6 belongs.
    const harness = new LinkHarness();
    const frames = captureFrames(readFixture('astm/senaite_yumizen_h500.txt'));

    const replay = replayAsAnalyzer(
      harness,
      frames.map((frame) => frame.raw),
    );

    expect(replay).toEqual({ acked: 5, naks: 6, abandoned: true });
    expect(harness.rejections.map((error) => error.code)).toEqual(Array(6).fill('frame-number-mismatch'));
    // Link offsets count the ENQ the analyzer sent before the capture's first frame.
    expect(harness.rejections[0]?.offset).toBe((frames[5]?.offset ?? 0) + 1);
    expect(harness.failures.map((error) => [error.code, error.discardedFrames])).toEqual([['too-many-rejected-frames', 5]]);
    expect(harness.messages).toEqual([]);
  });

  describe('astmio_mindray_bs240_log.decoded', () => {
    const bytes = readFixture('astm/astmio_mindray_bs240_log.decoded');

    it('has 157 frames, 27 of them with a bad checksum', () => {
      const frames = captureFrames(bytes);
      expect(frames).toHaveLength(157);
      expect(frames.filter((frame) => !frame.checksumValid)).toHaveLength(27);
    });

    it('stores 121 clean transfers and reports 27', () => {
      // Counted by reading the log's order of ENQ, frames and EOT against E1381. Frames without
      // an ENQ before them are ignored. A bad checksum, or a second message that reuses frame
      // number 1, is NAKed. A transfer that ends while a NAKed frame is outstanding is discarded.
      const harness = new LinkHarness();
      for (let start = 0; start < bytes.length; start += 1_000) harness.feed(bytes.subarray(start, start + 1_000));

      expect(harness.messages).toHaveLength(121);
      expect(harness.failures).toHaveLength(27);
      expect(harness.failures.every((error) => error.code === 'interrupted-by-eot' && error.direction === 'receive')).toBe(true);
      expect(harness.rejections).toHaveLength(27);
      expect(harness.replies.filter((reply) => reply === 'ACK')).toHaveLength(280);
      expect(harness.replies.filter((reply) => reply === 'NAK')).toHaveLength(27);
      expect(harness.warnings.filter((warning) => warning.code === 'missing-eot')).toHaveLength(4);

      const messages = harness.messages.map((message) => parseAstmMessage(message.text));
      const patients = messages.map((message) => message.recordsOfType('P')[0]?.value(2));
      expect(patients.slice(0, 6)).toEqual(['476', '477', '480', '482', '483', '486']);
      expect(patients.slice(-3)).toEqual(['624', '628', '629']);
      expect(new Set(patients).size).toBe(121);
      expect(messages.reduce((count, message) => count + message.recordsOfType('R').length, 0)).toBe(169);
      expect(messages.every((message) => message.warnings.length === 0 && message.records.at(-1)?.type === 'L')).toBe(true);
    });

    it('parses the first stored message into the expected values', () => {
      const harness = new LinkHarness();
      harness.feed(bytes);
      const message = parseAstmMessage((harness.messages[0] as { text: Buffer }).text);

      expect(recordTypes(message)).toBe('HPORRL');
      expectValues(message, {
        'H.5': ['Mindry', '', ''],
        'H.12': 'PR',
        'H.13': '1394-97',
        'H.14': '20250701173105',
        'P.2': '476',
        'P.9': 'U',
        'O.2': '476',
        'O.3': ['8', '', ''],
        'O.4': '2025105875',
        'O.5': [
          ['CREAS', 'Creatinine (Sarcosine Oxidase Method)', '', ''],
          ['UREA', 'Urea', '', ''],
        ],
        'O.6': 'R',
        'O.16': 'serum',
        'O.26': 'F',
        'R[1].2': '162',
        'R[1].3': ['CREAS', 'Creatinine (Sarcosine Oxidase Method)', '', 'F'],
        'R[1].4': ['3.216365', '', '', '', ''],
        'R[1].5': 'mg/dL',
        'R[1].6': ['', ''],
        'R[1].7': 'N',
        'R[1].9': 'F',
        'R[1].10': ['3.216365', '', '', '', ''],
        'R[1].11': '0',
        'R[1].12': '20250701154742',
        'R[1].13': '',
        'R[1].14': ['Mindry', ''],
        'R[2].3.1': 'UREA',
        'R[2].4.1': '72.506096',
        'L.2': '475',
        'L.3': 'N',
      });
    });
  });

  describe('raw output that is not ASTM', () => {
    for (const file of ['senaite_mini_vidas.txt', 'senaite_spotchem_el.txt']) {
      it(`gets no reply and no message for ${file}`, () => {
        const bytes = readFixture(`astm/${file}`);
        const harness = new LinkHarness();

        harness.feed(bytes);
        harness.timer.advance(60_000);

        expect(readAstmFrames(bytes).filter((token) => token.kind === 'frame')).toEqual([]);
        expect(harness.replies).toEqual([]);
        expect(harness.messages).toEqual([]);
        expect(() => parseAstmMessages(bytes)).toThrowError(AstmParseError);
        expect(() => parseAstmMessages(bytes)).toThrowError(expect.objectContaining({ code: 'missing-header', offset: 0 }));
      });
    }
  });
});
