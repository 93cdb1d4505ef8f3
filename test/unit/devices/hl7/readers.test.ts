import { describe, expect, it } from 'vitest';

import { Hl7Error, parseMessage, parsePath, readHeader, readLabMessage, readPatient } from '../../../../devices/hl7/index.js';
import { hl7Fixture, labCase, present } from './support/fixtures.js';

describe('HL7 field paths', () => {
  it('reads occurrence, repetition, component and subcomponent', () => {
    expect(parsePath('PID-3[2].4.1')).toEqual({ segmentId: 'PID', occurrence: 1, field: 3, repetition: 2, component: 4, subcomponent: 1 });
    expect(parsePath('OBX[12]-5')).toEqual({ segmentId: 'OBX', occurrence: 12, field: 5, repetition: undefined, component: undefined, subcomponent: undefined });
  });

  it('rejects malformed paths with a typed error', () => {
    for (const path of ['PID', 'PID-0', 'pid-3', 'OBX[0]-5', 'PID-3.', 'PID-3[2]4', 'PID-3.1.2.3']) {
      expect(() => parsePath(path), path).toThrow(Hl7Error);
    }
  });

  it('lists the components of a repetition, decoded unless they have subcomponents', () => {
    const message = parseMessage('MSH|^~\\&|A||||||ORU^R01|M|P|2.5\rOBX|1|CWE|X^a\\T\\b^c&d~Y^Z||\r');
    const obx = present(message.segment('OBX'), 'OBX');

    expect(obx.components(3)).toEqual(['X', 'a&b', 'c&d']);
    expect(obx.components(3, 2)).toEqual(['Y', 'Z']);
    expect(obx.components(3, 3)).toEqual([]);
    expect(message.header.components(2)).toEqual(['^~\\&']);
  });

  it('returns empty text for what a message does not have', () => {
    const message = parseMessage(labCase('LAB-12.hl7'));

    expect(message.get('ZZZ-1')).toBe('');
    expect(message.get('OBX[2]-5')).toBe('');
    expect(message.get('PID-99')).toBe('');
    expect(message.get('PID-3[9].1')).toBe('');
    expect(message.getAll('PID-3[9]')).toEqual([]);
    expect(message.getAll('PID-3.4')).toEqual(['HOSP', 'GIRO', 'BANK', '', '']);
  });
});

describe('HL7 typed readers', () => {
  it('reads the header', () => {
    expect(readHeader(parseMessage(labCase('LAB-19.hl7').subarray(1, -2)))).toMatchObject({
      sendingApplication: '',
      messageCode: 'OUL',
      triggerEvent: 'R22',
      messageStructure: 'OUL_R22',
      controlId: '6100000-7500000',
      processingId: 'P',
      version: '2.7',
      sequenceNumber: '0',
      acceptAcknowledgmentType: 'NE',
      applicationAcknowledgmentType: 'AL',
      characterSet: 'UNICODE UTF-8',
    });
  });

  it('reads a patient with several identifiers', () => {
    const patient = readPatient(present(parseMessage(labCase('LAB-12.hl7')).segment('PID'), 'PID'));

    expect(patient.identifiers).toEqual([
      { id: 'PAT012', assigningAuthority: 'HOSP', typeCode: 'MR', assigningFacility: '' },
      { id: '000111000', assigningAuthority: 'GIRO', typeCode: 'BA', assigningFacility: '' },
      { id: '999888777', assigningAuthority: 'BANK', typeCode: 'BA', assigningFacility: '' },
    ]);
    expect(patient.names).toEqual([{ family: 'DOE', given: 'JANE', middle: '', suffix: '', prefix: '', typeCode: '' }]);
    expect([patient.birthDate, patient.sex]).toEqual(['19800101', 'F']);
  });

  it('attaches the specimen before the OBR in OUL^R22', () => {
    const lab = readLabMessage(parseMessage(labCase('LAB-19.hl7').subarray(1, -2)));

    expect(lab.orders).toHaveLength(1);
    expect(lab.orders[0]?.specimens.map((specimen) => [specimen.placerSpecimenId, specimen.type.code])).toEqual([['SPC019', 'UR']]);
    expect(lab.orders[0]?.observations.map((observation) => observation.values)).toEqual([[{ kind: 'text', raw: 'NEG', text: 'NEG' }]]);
    expect(lab.orders[0]?.patient?.identifiers[0]?.id).toBe('PAT019');
  });

  it('attaches the specimen after the OBX in ORU^R01', () => {
    const lab = readLabMessage(parseMessage(hl7Fixture('msfc_LAB-ORU-1.hl7')));

    expect(lab.orders.map((group) => group.request?.service.code)).toEqual(['24317-0', '26464-8']);
    expect(lab.orders.map((group) => group.observations.length)).toEqual([5, 5]);
    expect(lab.orders.map((group) => group.specimens.map((specimen) => specimen.placerSpecimenId))).toEqual([['SpecimenID'], ['SpecimenID']]);
    const first = present(lab.orders[0], 'first group').observations;
    expect(first.map((observation) => [observation.resultStatus, observation.values.length])).toEqual([
      ['I', 0],
      ['P', 1],
      ['I', 0],
      ['P', 1],
      ['F', 1],
    ]);
  });

  it('groups an OML^O21 with two OBR and a specimen', () => {
    const lab = readLabMessage(parseMessage(hl7Fixture('cdc_TN_002_TN_OML_O21_NBS.hl7')));

    expect(lab.orders.map((group) => [group.order?.orderControl, group.request?.service.code, group.observations.length, group.specimens.length])).toEqual([
      ['NW', '54089-8', 3, 0],
      [undefined, '57717-1', 14, 1],
    ]);
    expect(lab.orders[1]?.observations[3]?.values).toEqual([{ kind: 'number', raw: '38', value: 38 }]);
    expect(lab.otherSegments.map((segment) => segment.id)).toEqual(['NK1']);
  });

  it('groups an ORM^O01 order', () => {
    const lab = readLabMessage(parseMessage(labCase('LAB-08.hl7')));

    expect(lab.orders).toHaveLength(1);
    expect(lab.orders[0]?.order).toMatchObject({ orderControl: 'NW', placerOrderNumber: 'ORD008' });
    expect(lab.orders[0]?.request).toMatchObject({ placerOrderNumber: 'ORD008', service: { code: 'CBC', text: 'Blood count', system: 'L' } });
  });

  it('attaches NTE segments to the OBX they follow', () => {
    const lab = readLabMessage(parseMessage(hl7Fixture('cdc_Oracle_004_Oracle_ORU_R01.hl7')));
    const observations = present(lab.orders[0], 'group').observations;

    expect(observations.map((observation) => observation.notes.length)).toEqual([0, 0, 7]);
    expect(observations[2]?.notes[5]?.comments).toEqual(['CLIA NUMBER 44D0889744']);
    expect(observations[2]).toMatchObject({ values: [{ kind: 'number', value: 36 }], units: { code: 'mg/g crea' }, referenceRange: { text: '<30' }, abnormalFlags: ['H'] });
  });

  it('keeps a value that does not fit its type with a warning', () => {
    const message = parseMessage('MSH|^~\\&|A||||||ORU^R01|M|P|2.5\rOBX|1|NM|X||4,5|\rOBX|2|SN|Y||>>^7|\rOBX|3|ED|Z||^AP^^Base64^QUJD\r');
    const observations = readLabMessage(message).observations;

    expect(observations.map((observation) => observation.values)).toEqual([
      [{ kind: 'other', raw: '4,5', text: '4,5' }],
      [{ kind: 'other', raw: '>>^7', text: '>>^7' }],
      [{ kind: 'other', raw: '^AP^^Base64^QUJD', text: '^AP^^Base64^QUJD' }],
    ]);
    expect(observations.map((observation) => observation.warnings.length)).toEqual([1, 1, 1]);
  });
});
