import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { inspectCapture } from '../../../../devices/cli/inspect/inspect-capture.js';
import type { InspectReport } from '../../../../devices/cli/inspect/report.js';

/**
 * What inspect makes of every capture in test/fixtures/astm and test/fixtures/hl7, run in this
 * process (the command's own tests spawn it). The expectations were written down by reading the
 * captures and their SOURCES.md.
 */
interface CaptureCase {
  readonly file: string;
  readonly framing: InspectReport['framing'];
  readonly valid: boolean;
  /** The shipped profile inspect should pick, or null when none fits. */
  readonly profile: string | null;
  readonly messages?: number;
  readonly errors?: readonly string[];
}

const CAPTURES: readonly CaptureCase[] = [
  // The log's frames and transfers are checked in inspect-command.test.ts.
  { file: 'astm/astmio_mindray_bs240_log.decoded', framing: 'astm-frames', valid: false, profile: 'mindray-bs-240' },
  { file: 'astm/senaite_abbott_afinion2.txt', framing: 'astm-frames', valid: true, profile: 'abbott-afinion-2', messages: 1 },
  { file: 'astm/senaite_cobas_c111.txt', framing: 'astm-frames', valid: true, profile: 'roche-cobas-c111', messages: 1 },
  { file: 'astm/senaite_cobas_c111_inline.decoded', framing: 'astm-frames', valid: true, profile: 'roche-cobas-c111', messages: 1 },
  { file: 'astm/senaite_cobas_c311.txt', framing: 'astm-frames', valid: true, profile: 'roche-cobas-c311', messages: 1 },
  { file: 'astm/senaite_genexpert.txt', framing: 'astm-frames', valid: true, profile: 'cepheid-genexpert', messages: 1 },
  { file: 'astm/senaite_mini_vidas.txt', framing: 'astm-frames', valid: false, profile: null, messages: 0, errors: ['incomplete-frame', 'no-frames'] },
  { file: 'astm/senaite_mini_vidas_mock.txt', framing: 'astm-frames', valid: true, profile: 'biomerieux-mini-vidas', messages: 1 },
  { file: 'astm/senaite_pentra_xlr.txt', framing: 'astm-frames', valid: true, profile: 'horiba-pentra-xlr', messages: 1 },
  { file: 'astm/senaite_spotchem_el.txt', framing: 'astm-frames', valid: false, profile: null, messages: 0, errors: ['incomplete-frame', 'no-frames'] },
  { file: 'astm/senaite_spotchem_el_mock.txt', framing: 'astm-frames', valid: true, profile: 'arkray-spotchem-el', messages: 1 },
  { file: 'astm/senaite_sysmex_xn550.txt', framing: 'astm-frames', valid: true, profile: 'sysmex-xn550', messages: 1 },
  { file: 'astm/senaite_yumizen_h500.txt', framing: 'astm-frames', valid: false, profile: 'horiba-yumizen-h500', messages: 1 },
  // 95 blocks, 9 of them with an ACK spliced in by the logger.
  { file: 'hl7/astmio_erba_elite580_log.decoded', framing: 'mllp', valid: false, profile: 'erba-elite-580', messages: 86 },
  { file: 'hl7/astmio_erba_elite580_log.txt', framing: 'unknown', valid: false, profile: null, messages: 0, errors: ['unknown-capture'] },
  { file: 'hl7/cdc_CA_001_CA_OML_O21.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_Epic_001_Epic_ORM_O01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_Epic_002_Epic_ORU_R01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_MN_003_MN_ORM_O01_NBS.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_MN_005_MN_ADT_A01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_Natus_001_Natus_ACK.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_Oracle_001_Oracle_ORM_O01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_Oracle_004_Oracle_ORU_R01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_Other_001_ADT_A01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_TN_002_TN_OML_O21_NBS.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/cdc_Test_Automated_008_ORU_R01_micro_character_encoding.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/hapi_adt_a03.txt', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/hapi_example_oml_o21.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 13 },
  { file: 'hl7/msfc_ADT-A01-01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/msfc_ADT-A08-01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/msfc_LAB-ORU-1.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  // The Erba profile maps one of its 28 LOINC codes, too few to take it for the sender's profile.
  { file: 'hl7/msfc_LRI_2.0-NG_CBC_Typ_Message.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/msfc_OML-O21-01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/msfc_ORM-O01-01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
  { file: 'hl7/msfc_ORU-R01-01.hl7', framing: 'hl7-text', valid: true, profile: null, messages: 1 },
];

function inspectFile(file: string): { bytes: Buffer; report: InspectReport } {
  const bytes = readFileSync(new URL(`../../../fixtures/${file}`, import.meta.url));
  return { bytes, report: inspectCapture(bytes, { file, timeZone: 'UTC' }) };
}

describe('inspect on every capture', () => {
  it.each(CAPTURES)('$file', (capture) => {
    const { bytes, report } = inspectFile(capture.file);

    expect(report.framing).toBe(capture.framing);
    expect(report.valid).toBe(capture.valid);
    expect(report.valid).toBe(report.errors.length === 0);
    expect(report.profile?.id ?? null).toBe(capture.profile);
    if (capture.messages !== undefined) expect(report.messages).toHaveLength(capture.messages);
    if (capture.errors) expect(report.errors.map((error) => error.code)).toEqual(capture.errors);
    for (const issue of [...report.errors, ...report.warnings]) {
      if (issue.offset !== undefined) expect(issue.offset, `${issue.code} offset`).toBeLessThan(bytes.length);
    }
  });

  it('ASTM frames list every frame the capture holds', () => {
    const { report } = inspectFile('astm/senaite_pentra_xlr.txt');
    // 28 frames, one record each, numbered 1 to 7 and then 0 again.
    expect(report.frames?.map((frame) => frame.frameNumber)).toEqual(Array.from({ length: 28 }, (_, index) => (index + 1) % 8));
    expect(report.frames?.every((frame) => frame.reply === 'ACK' && frame.checksumValid && frame.end === 'lf')).toBe(true);
    expect(report.warnings.map((warning) => warning.code)).toEqual(['no-enq', 'nonstandard-frame-end']);
  });

  it('records carry their fields with LIS2-A2 names', () => {
    const { report } = inspectFile('astm/senaite_abbott_afinion2.txt');
    const result = report.messages[0]?.records.find((record) => record.type === 'R');

    expect(result?.fields).toEqual([
      { field: 'R.1', name: 'recordType', value: 'R' },
      { field: 'R.2', name: 'sequenceNumber', value: '1' },
      { field: 'R.3', name: 'universalTestId', repetitions: [['', '', '', 'HbA1c']] },
      { field: 'R.4', name: 'dataOrMeasurementValue', value: '5.9' },
      { field: 'R.5', name: 'units', value: '%' },
      { field: 'R.9', name: 'resultStatus', value: 'F' },
      { field: 'R.11', name: 'operatorIdentification', value: '3643' },
      { field: 'R.13', name: 'dateTimeTestCompleted', value: '20241206140615' },
    ]);
  });

  it('segments carry their fields decoded', () => {
    const { report } = inspectFile('hl7/cdc_Oracle_004_Oracle_ORU_R01.hl7');
    const obx = report.messages[0]?.records.filter((record) => record.type === 'OBX')[2];

    expect(obx?.fields).toEqual([
      { field: 'OBX-1', value: '3' },
      { field: 'OBX-2', value: 'NM' },
      { field: 'OBX-3', repetitions: [['20281', 'Albumin/Creat Ratio', 'AEL', '14959-1', 'Albumin/Creat Ratio', 'LN']] },
      { field: 'OBX-4', value: 'MACR' },
      { field: 'OBX-5', value: '36' },
      { field: 'OBX-6', value: 'mg/g crea' },
      { field: 'OBX-7', value: '<30' },
      { field: 'OBX-8', value: 'H' },
      { field: 'OBX-11', value: 'F' },
      { field: 'OBX-14', value: '202303171704' },
      { field: 'OBX-15', value: 'MEM' },
    ]);
  });

  it('records as text may start with a byte order mark', () => {
    const text = 'H|\\^&\rP|1\rO|1|SID1\rR|1|^^^NA|140|mmol/L||N||F\rL|1|N\r';
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'latin1')]);
    const report = inspectCapture(bytes, { file: 'records.txt', timeZone: 'UTC' });

    expect(report.framing).toBe('astm-records');
    expect(report.errors).toEqual([]);
    const lineStarts = text.split('\r').slice(0, -1).map((line) => 3 + text.indexOf(line));
    expect(report.messages[0]?.records.map((record) => record.offset)).toEqual(lineStarts);
    expect(report.messages[0]?.results.groups[0]?.accession).toBe('SID1');
  });

  it('a profile that fits is used for the mapping', () => {
    const { report } = inspectFile('astm/senaite_cobas_c311.txt');
    const results = report.messages[0]?.results;

    expect(results?.profileId).toBe('roche-cobas-c311');
    expect(results?.groups[0]?.results.every((result) => result.match.kind === 'mapped')).toBe(true);
  });
});
