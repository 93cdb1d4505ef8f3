import { describe, expect, it } from 'vitest';

import type { Hl7Message } from '../../../../devices/hl7/index.js';
import { MllpDecoder, parseMessage, parseMessages } from '../../../../devices/hl7/index.js';
import type { AnalyzerProfile } from '../../../../devices/profiles/index.js';
import type { LabResultMapping } from '../../../../devices/results/index.js';
import { buildResultResources, mapHl7Message } from '../../../../devices/results/index.js';
import { fixture, loincOf, resultAt, resultsOf, reviewCodes, shippedProfile } from './support/fixtures.js';

/**
 * The HL7 captures in test/fixtures/hl7 mapped to result drafts. The Erba ELite 580 log is mapped
 * with its shipped profile. The other files come from systems without a shipped profile, so they
 * are mapped without one. Expected values were written down by reading the files.
 */
const TIME_ZONE = 'Europe/Berlin';

function mapFile(name: string, profile?: AnalyzerProfile): LabResultMapping {
  const bytes = fixture(`hl7/${name}`);
  return mapHl7Message(parseMessage(bytes), { raw: bytes, timeZone: TIME_ZONE, ...(profile ? { profile } : {}) });
}

describe('Erba ELite 580 log mapped with its shipped profile', () => {
  const bytes = fixture('hl7/astmio_erba_elite580_log.decoded');
  const decoder = new MllpDecoder();
  const payloads = [...decoder.push(bytes), ...decoder.end()].flatMap((event) => (event.type === 'message' ? [event.payload] : []));
  const profile = shippedProfile('erba-elite-580');

  /** Maps the block whose MSH-10 is `controlId`. */
  function mapBlock(controlId: string): LabResultMapping {
    for (const payload of payloads) {
      let message: Hl7Message;
      try {
        message = parseMessage(payload);
      } catch {
        continue; // the blocks the logger spliced an ACK into
      }
      if (message.controlId === controlId) return mapHl7Message(message, { raw: payload, profile, timeZone: TIME_ZONE });
    }
    throw new Error(`no block has MSH-10 ${controlId}`);
  }

  it('maps the second block: sample 25059143', () => {
    const mapping = mapBlock('ac84fae48b0e475996af764673f793fb');
    const [group] = mapping.groups;

    expect(mapping.groups).toHaveLength(1);
    expect(group?.accession).toBe('25059143');
    expect(group?.accessionSource).toBe('OBR-3');
    expect(group?.orderedTests).toEqual([{ code: '01001', display: 'Automated Count', system: '99MRC' }]);
    expect(group?.effectiveDateTime).toBe('2025-06-28T17:33:10+02:00');
    expect(group?.issued).toBe('2025-06-28T17:34:23+02:00');
    expect(group?.results).toHaveLength(36);
  });

  it('ignores the run settings and the age', () => {
    const mapping = mapBlock('ac84fae48b0e475996af764673f793fb');
    const ignored = resultsOf(mapping).filter((result) => result.match.kind === 'ignored');

    expect(ignored.map((result) => result.testCode.key)).toEqual(['02001', '02002', '02003', '30525-0', '09001', '03001']);
    expect(ignored.every((result) => result.review.length === 0)).toBe(true);
    expect(resultAt(mapping, 'OBX[1]').value).toEqual({ kind: 'text', text: 'A' });
  });

  it('maps every measured parameter without review', () => {
    const mapping = mapBlock('ac84fae48b0e475996af764673f793fb');
    const measured = resultsOf(mapping).filter((result) => result.match.kind !== 'ignored');

    expect(measured).toHaveLength(30);
    expect(measured.filter((result) => result.match.kind === 'unmapped')).toEqual([]);
    expect(measured.flatMap((result) => result.review)).toEqual([]);
  });

  it('reads WBC, MCHC and P-LCC', () => {
    const mapping = mapBlock('ac84fae48b0e475996af764673f793fb');
    const wbc = resultAt(mapping, 'OBX[7]');
    const mchc = resultAt(mapping, 'OBX[27]');
    const largeCells = resultAt(mapping, 'OBX[36]');

    expect(loincOf(wbc)).toBe('6690-2');
    expect(wbc.value).toEqual({ kind: 'quantity', value: 6.75 });
    expect(wbc.unit).toEqual({ sent: '10*3/uL', stored: '10*3/uL' });
    expect(wbc.referenceRange).toEqual({ text: '4.00-10.00', low: 4, high: 10 });
    expect(wbc.interpretation.map((flag) => flag.code)).toEqual(['N']);
    expect(wbc.status).toEqual({ sent: 'F', fhir: 'final' });
    expect(wbc.effectiveDateTime).toBe('2025-06-28T17:33:10+02:00');
    expect(wbc.accession).toBe('25059143');

    expect(mchc.value).toEqual({ kind: 'quantity', value: 30.6 });
    expect(mchc.interpretation.map((flag) => [flag.code, flag.display])).toEqual([
      ['L', 'Low'],
      ['A', 'Abnormal'],
    ]);
    expect(largeCells.unit).toEqual({ sent: '10*9/L', stored: '10*9/L' });
  });
});

describe('HL7 result messages mapped without a profile', () => {
  it('NIST LRI CBC: OBR-3 accession, HH is critical', () => {
    const mapping = mapFile('msfc_LRI_2.0-NG_CBC_Typ_Message.hl7');
    const leukocytes = resultAt(mapping, 'OBX[4]');
    const poikilocytosis = resultAt(mapping, 'OBX[24]');
    const morphology = resultAt(mapping, 'OBX[26]');

    expect(mapping.groups).toHaveLength(1);
    expect(mapping.groups[0]?.accession).toBe('R-991133');
    expect(mapping.groups[0]?.accessionSource).toBe('OBR-3');
    expect(mapping.groups[0]?.results).toHaveLength(28);
    expect(leukocytes.testCode.key).toBe('26464-8');
    expect(leukocytes.value).toEqual({ kind: 'quantity', value: 105600 });
    expect(leukocytes.unit).toEqual({ sent: '{cells}/uL' });
    expect(leukocytes.referenceRange).toEqual({ text: '4300 to 10800', low: 4300, high: 10800 });
    expect(leukocytes.effectiveDateTime).toBe('2011-01-03T14:34:28-08:00');
    expect(reviewCodes(leukocytes)).toEqual(['unmapped-test', 'critical-flag']);
    expect(poikilocytosis.value).toEqual({ kind: 'coded', code: '260415000', display: 'not detected', system: 'SCT' });
    expect(morphology.value).toEqual({ kind: 'text', text: 'Many spherocytes present.' });
    expect(morphology.interpretation.map((flag) => flag.code)).toEqual(['A']);
  });

  it('Oracle ORU: upper-limit range and notes', () => {
    const mapping = mapFile('cdc_Oracle_004_Oracle_ORU_R01.hl7');
    const ratio = resultAt(mapping, 'OBX[3]');

    expect(mapping.groups[0]?.accession).toBe('335707581');
    expect(ratio.testCode).toEqual({ key: '20281', display: 'Albumin/Creat Ratio' });
    expect(ratio.value).toEqual({ kind: 'quantity', value: 36 });
    expect(ratio.unit).toEqual({ sent: 'mg/g crea' });
    expect(ratio.referenceRange).toEqual({ text: '<30', high: 30 });
    expect(ratio.interpretation.map((flag) => flag.code)).toEqual(['H']);
    expect(ratio.effectiveDateTime).toBe('2023-03-17T17:04:00+01:00');
    expect(ratio.notes[0]).toBe('UNLESS OTHERWISE INDICATED, ALL TESTING PERFORMED AT:');
  });

  it('FHIR converter ORU: SPM accession per group, pending results', () => {
    const mapping = mapFile('msfc_LAB-ORU-1.hl7');
    const [first, second] = mapping.groups;
    const pending = resultAt(mapping, 'OBX[1]');

    expect(mapping.groups).toHaveLength(2);
    expect(first?.accession).toBe('SpecimenID');
    expect(first?.accessionSource).toBe('SPM-2.1');
    expect(first?.results.map((result) => result.location)).toEqual(['OBX[1]', 'OBX[2]', 'OBX[3]', 'OBX[4]', 'OBX[5]']);
    expect(second?.results.map((result) => result.location)).toEqual(['OBX[6]', 'OBX[7]', 'OBX[8]', 'OBX[9]', 'OBX[10]']);
    expect(pending.value).toEqual({ kind: 'empty' });
    expect(pending.status).toEqual({ sent: 'I', fhir: 'registered' });
    expect(resultAt(mapping, 'OBX[2]').status).toEqual({ sent: 'P', fhir: 'preliminary' });
    expect(buildResultResources(mapping, first as (typeof mapping.groups)[number]).diagnosticReport.status).toBe('preliminary');
  });

  it('HAPI OUL^R22: OBR-3 accession and a cancelled result', () => {
    const bytes = fixture('hl7/hapi_example_oml_o21.hl7');
    const message = parseMessages(bytes).messages.find((candidate) => candidate.controlId === 'msgOF110');
    if (!message) throw new Error('msgOF110 is missing');
    const mapping = mapHl7Message(message, { raw: bytes, timeZone: TIME_ZONE });
    const cancelled = resultAt(mapping, 'OBX[4]');

    expect(mapping.groups).toHaveLength(1);
    expect(mapping.groups[0]?.accession).toBe('555');
    expect(mapping.groups[0]?.results).toHaveLength(6);
    expect(resultAt(mapping, 'OBX[2]').referenceRange).toEqual({ text: '4000-6100', low: 4000, high: 6100 });
    expect(cancelled.value).toEqual({ kind: 'empty' });
    expect(cancelled.status).toEqual({ sent: 'X', fhir: 'cancelled' });
  });

  it('messages that carry no results', () => {
    const files = [
      'cdc_CA_001_CA_OML_O21.hl7',
      'cdc_Epic_001_Epic_ORM_O01.hl7',
      'cdc_MN_003_MN_ORM_O01_NBS.hl7',
      'cdc_MN_005_MN_ADT_A01.hl7',
      'cdc_Natus_001_Natus_ACK.hl7',
      'cdc_Oracle_001_Oracle_ORM_O01.hl7',
      'cdc_Other_001_ADT_A01.hl7',
      'cdc_TN_002_TN_OML_O21_NBS.hl7',
      'msfc_ADT-A01-01.hl7',
      'msfc_ADT-A08-01.hl7',
      'msfc_OML-O21-01.hl7',
      'msfc_ORM-O01-01.hl7',
      'hapi_adt_a03.txt',
    ];
    for (const file of files) {
      const mapping = mapFile(file);
      expect(mapping.groups, file).toEqual([]);
      expect(mapping.notices[0], file).toMatch(/is not a result message/);
    }
  });

  it('every other result message maps each OBX once', () => {
    const files = ['cdc_Epic_002_Epic_ORU_R01.hl7', 'cdc_Test_Automated_008_ORU_R01_micro_character_encoding.hl7', 'msfc_ORU-R01-01.hl7'];
    for (const file of files) {
      const message = parseMessage(fixture(`hl7/${file}`));
      const positions = resultsOf(mapFile(file)).map((result) => result.position);
      expect(positions, file).toEqual(message.segmentsWithId('OBX').map((_, index) => index + 1));
    }
  });

  it('micro character encoding: the unit keeps its µ', () => {
    const mapping = mapFile('cdc_Test_Automated_008_ORU_R01_micro_character_encoding.hl7');
    expect(resultsOf(mapping)[0]?.unit.sent).toBe('µmol/L');
  });
});
