import { describe, expect, it } from 'vitest';

import { MllpDecoder, parseMessage, parseMessages, readAcknowledgment, readLabMessage } from '../../../../devices/hl7/index.js';
import type { Hl7Message, MllpEvent } from '../../../../devices/hl7/index.js';
import { hl7Fixture, present } from './support/fixtures.js';

/**
 * Every HL7 capture in test/fixtures/hl7 (copied from the shared corpus, see SOURCES.md there).
 * The expected segment IDs and values were written down by reading the files.
 */
interface CorpusCase {
  file: string;
  segmentIds: string;
  values: Record<string, string>;
  /** Whether the file uses LF where HL7 wants CR (so the parser warns). */
  lineFeeds: boolean;
}

const CORPUS: CorpusCase[] = [
  {
    file: 'cdc_CA_001_CA_OML_O21.hl7',
    segmentIds: 'MSH PID PD1 NK1 ORC OBR OBX OBX OBX OBX OBX OBX OBX OBX',
    lineFeeds: true,
    values: {
      'MSH-9': 'OML^O21',
      'MSH-10': '121121',
      'MSH-12': '2.5.1',
      'PID-3.1': '3000657',
      'PID-5.1': 'SURROGATEEVENT',
      'PID-5.2': 'BABYBOY',
      'ORC-2': '3492201783',
      // The source file joins OBR and two OBX with a space instead of a line break.
      'OBR-10.3': 'TESTFIRSTNAME OBX',
      'OBX[1]-1': '3',
      'OBX[5]-5': '39',
      'OBX[5]-6.1': 'wk',
      'OBX[5]-6.2': 'weeks',
    },
  },
  {
    file: 'cdc_Epic_001_Epic_ORM_O01.hl7',
    segmentIds: 'MSH PID IN1 GT1 DG1 DG1 ORC OBR OBX',
    lineFeeds: true,
    values: {
      'MSH-9': 'ORM^O01',
      'MSH-10': '550162',
      'MSH-12': '2.3',
      'ORC-1': 'CA',
      'ORC-2.1': '968906415',
      'OBR-4.1': '140285',
      'OBR-4.2': 'MICROALBUMIN / CREATININE RATIO URINE',
      'OBR-15.1.1': 'URINE',
      'OBR-15.1.2': 'Urine',
      'GT1-6[2]': '2253351752',
      'OBX-5': 'Urine',
    },
  },
  {
    file: 'cdc_Epic_002_Epic_ORU_R01.hl7',
    segmentIds: `MSH PID OBR OBX OBX ${'NTE '.repeat(22)}OBX ${'NTE '.repeat(6)}`.trim(),
    lineFeeds: true,
    values: {
      'MSH-9': 'ORU^R01',
      'MSH-10': '169066674328696234',
      'OBR-3[2].1': 'M186031683',
      'OBR-3[2].2': 'MAYO',
      'OBX[1]-3.1': '21838',
      'OBX[1]-3.4': '21668-9',
      'OBX[1]-3.6': 'LN',
      'OBX[1]-5': 'Negative',
      'NTE[2]-3': 'c.1601G>A; p.Arg534Gln (legacy numbering Arg506Gln)',
      'OBX[3]-3.1': '21841',
    },
  },
  {
    file: 'cdc_MN_003_MN_ORM_O01_NBS.hl7',
    segmentIds: `MSH PID ORC OBR OBR ${'OBX '.repeat(12)}`.trim(),
    lineFeeds: true,
    values: {
      'MSH-3.1': 'Epic',
      'MSH-3.2': '1.2.840.114350.1.13.145.2.7.2.695071',
      'MSH-9': 'ORM^O01^ORM_O01',
      'MSH-10': '31808297',
      'MSH-21[2].1': 'LAB_TO_COMPONENT',
      'PID-5.1': 'SMITH',
      'OBR[2]-4.1': '57717-1',
      'OBR-15.1.2': 'Blood spot specimen',
      'OBX[1]-5': '1769.859285',
      'OBX[1]-6.3': 'UCUM',
      'OBX[12]-5': 'Lakeridge Health Revere',
    },
  },
  {
    file: 'cdc_MN_005_MN_ADT_A01.hl7',
    segmentIds: 'MSH EVN PID NK1 NK1 PV1 OBX',
    lineFeeds: true,
    values: { 'MSH-9': 'ADT^A01', 'EVN-1': 'A01', 'PID-3.1': '11102779', 'PID-5.2': 'BB SARAH', 'NK1[2]-3.2': 'Mother', 'OBX-5': '32', 'OBX-6': 'wk' },
  },
  {
    file: 'cdc_Natus_001_Natus_ACK.hl7',
    segmentIds: 'MSH MSA',
    lineFeeds: true,
    values: {
      'MSH-7': '',
      'MSH-9': 'ACK',
      'MSH-10': 'A0A173B79-D7AC-444F-99E7-C96B4A68B188',
      'MSA-1': 'AA',
      'MSA-2': '0A173B79-D7AC-444F-99E7-C96B4A68B188',
    },
  },
  {
    file: 'cdc_Oracle_001_Oracle_ORM_O01.hl7',
    segmentIds: `MSH PID ORC OBR ${'OBX '.repeat(9)}`.trim(),
    lineFeeds: true,
    values: {
      'MSH-10': 'Q1283765463T1850878697',
      'MSH-18': '8859/1',
      'PID-5.2': 'TEST, SCENERIO02, BB',
      // "" is HL7's explicit null; the parser keeps it as sent.
      'PID-11.9': '""',
      'OBX[2]-5': '^Yes, Sick/Premature^CD:1220',
      'OBX[2]-5.2': 'Yes, Sick/Premature',
      'OBX[6]-5': '3040',
    },
  },
  {
    file: 'cdc_Oracle_004_Oracle_ORU_R01.hl7',
    segmentIds: `MSH PID PV1 ORC OBR OBX OBX OBX ${'NTE '.repeat(7)}`.trim(),
    lineFeeds: true,
    values: {
      'MSH-10': '20230317-29887.E.106214',
      'OBX[1]-3.4': '14957-5',
      'OBX[2]-7': '28-217',
      'OBX[3]-5': '36',
      'OBX[3]-6': 'mg/g crea',
      'OBX[3]-7': '<30',
      'OBX[3]-8': 'H',
      'NTE[5]-3': '1701 CENTURY CENTER COVE   MEMPHIS, TN  38134',
    },
  },
  {
    file: 'cdc_Other_001_ADT_A01.hl7',
    segmentIds: 'MSH EVN PID NK1 PV1',
    lineFeeds: true,
    values: {
      'MSH-3': 'ADT1',
      'MSH-4': 'GOOD HEALTH HOSPITAL',
      'MSH-11': 'D',
      'MSH-12': '2.8',
      'PID-5': 'DOGCOW^CLARUS^M^III',
      'PID-7': '19610615173619',
      'PID-3[2].1': '123456789',
      'PID-3[2].5': 'SS',
    },
  },
  {
    file: 'cdc_TN_002_TN_OML_O21_NBS.hl7',
    segmentIds: `MSH PID NK1 ORC OBR OBX OBX OBX OBR ${'OBX '.repeat(14)}SPM`,
    lineFeeds: true,
    values: {
      'MSH-9': 'OML^O21^OML_O21',
      'MSH-10': 'C8E93305-2069-46A0-89D7-A58C80DB0FDE',
      'OBX[4]-5': 'M827270',
      'OBX[12]-2': 'XAD',
      'OBX[12]-5.1': '1345 EDWARDS STREET',
      'OBX[12]-5.3': 'UNION CITY',
      'SPM-2.1': 'M827270',
      'SPM-4.2': 'Blood spot specimen',
    },
  },
  {
    file: 'cdc_Test_Automated_008_ORU_R01_micro_character_encoding.hl7',
    segmentIds: 'MSH PID NK1 ORC OBR OBX',
    lineFeeds: true,
    values: { 'MSH-10': '008', 'MSH-18': '', 'PID-5.2': 'BOY  MOMSIX', 'OBX-3.1': '47633-3', 'OBX-5': '0.5', 'OBX-6': 'µmol/L', 'OBX-8': 'N', 'OBX-11': 'F' },
  },
  {
    file: 'hapi_adt_a03.txt',
    segmentIds: 'MSH EVN PID PV1 PR1',
    lineFeeds: true,
    values: {
      'MSH-9': 'ADT^A03',
      'MSH-10': '263206',
      'PID-3[2].1': 'ZZZZZZ83M64Z148R',
      'PID-3[3].7': '20070103',
      'PID-3[3].8': '99991231',
      'PID-3[4].5': 'TEAM',
      'PV1-3.9': 'MED. 1 - ONCOLOGIA',
      'PV1-3.11.1': 'OSPEDALE MAGGIORE DI LODI',
      'PV1-3.11.2': 'LODI',
      'PR1-3.2': 'Mastoplastica',
    },
  },
  {
    file: 'msfc_ADT-A01-01.hl7',
    segmentIds: 'MSH SFT EVN PID PD1 ARV ROL NK1 PV1 PV2 ARV ROL DB1 OBX AL1 DG1 PR1 ROL GT1 IN1 IN2 RF1 ACC PDA',
    lineFeeds: true,
    values: {
      'MSH-9': 'ADT^A01^ADT_A01',
      'MSH-12': '2.8',
      'PID-5[1].1.1': 'EVERYMAN',
      'PID-5[1].1.5': 'Aniston',
      'PID-5[2].3': 'stanley',
      'OBX-5[2]': '120',
      'GT1-11': 'SEL',
    },
  },
  {
    file: 'msfc_ADT-A08-01.hl7',
    segmentIds: 'MSH SFT EVN PID PD1 ARV ROL NK1 PV1 PV2 ARV ROL DB1 OBX AL1 DG1 PR1 ROL GT1 IN1 IN2 RF1 ACC PDA',
    lineFeeds: true,
    values: { 'MSH-9': 'ADT^A08^ADT_A08', 'EVN-1': 'A01', 'GT1-11': 'BRO' },
  },
  {
    file: 'msfc_LAB-ORU-1.hl7',
    segmentIds: 'MSH PID OBR OBX OBX OBX OBX OBX SPM OBR OBX OBX OBX OBX OBX SPM',
    lineFeeds: true,
    values: {
      'MSH-9': 'ORU^R01',
      'MSH-10': '182',
      'OBX[1]-5': '',
      'OBX[1]-11': 'I',
      'OBX[2]-3.2': 'ERYTHROCYTES',
      'OBX[2]-5': '4.06',
      'OBX[2]-6': 'tera.l-1',
      'OBX[2]-11': 'P',
      'OBX[5]-3.2': 'PLATELETS',
      'OBX[5]-5': '221',
      'OBX[5]-6': 'giga.l-1',
      'OBX[5]-11': 'F',
    },
  },
  {
    file: 'msfc_LRI_2.0-NG_CBC_Typ_Message.hl7',
    segmentIds: `MSH PID ORC OBR ${'OBX '.repeat(28)}SPM`,
    lineFeeds: true,
    values: {
      'MSH-10': 'NIST-LRI-NG-002.00',
      'OBX[1]-5': '4.41',
      'OBX[1]-6.1': '10*6/uL',
      'OBX[1]-7': '4.3 to 6.2',
      'OBX[4]-5': '105600',
      'OBX[4]-8': 'HH',
      'OBX[20]-5.1': '260348001',
      'OBX[28]-5': 'Platelets show defective granulation.',
      'SPM-4.2': 'BLD',
    },
  },
  {
    file: 'msfc_OML-O21-01.hl7',
    segmentIds: 'MSH PID PV1 IN1 IN2 GT1 AL1 ORC TQ1 OBR NTE CTD DG1 OBX OBX NTE SPM OBX SAC OBX FT1 FT1 BLG',
    lineFeeds: true,
    values: {
      'MSH-9': 'OML^O21^OML_O21',
      'MSH-12': '2.6',
      // \T\ in a component decodes to the subcomponent separator.
      'OBX[4]-5.1': 'http://172.16.237.4/CaseCenter/index.php?ContainerType=CaseView&ContainerID=0&SlideID=40bcbe96bcbf8cda8b07403263b92cb4',
      'OBX[4]-5.3': 'IM',
      'SAC-3': 'A59032',
      'SAC-4': 'C487892',
    },
  },
  {
    file: 'msfc_ORM-O01-01.hl7',
    segmentIds: 'MSH PID PV1 AL1 ORC OBR CTD DG1 OBX FT1 CTI BLG',
    lineFeeds: true,
    values: { 'MSH-9': 'ORM^O01^ORM_O01', 'OBR-4': '24725-4^CT Head^LN', 'OBR-4.2': 'CT Head', 'ORC-7.1.1': '12', 'ORC-7.1.2': 'lb', 'ORC-7.2.2': '12:30:05' },
  },
  {
    file: 'msfc_ORU-R01-01.hl7',
    segmentIds: 'MSH SFT PID PRT OBX PRT PV1 PRT ORC PRT OBX PRT TXA OBR NTE NTE PRT TQ1 CTD OBX PRT NTE NTE FT1 CTI SPM OBX OBX PRT',
    lineFeeds: true,
    values: {
      'MSH-10': '2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325',
      'NTE[1]-3': 'Enteric culture includes testing for Salmonella, Shigella, Campylobacter, Yersinia, E.coli O157:H7 & other STECs, and Aeromonas',
      'OBX[3]-5.2': 'Salmonella',
      'OBX[5]-5[2]': '25',
    },
  },
];

function ids(message: Hl7Message): string {
  return message.segments.map((segment) => segment.id).join(' ');
}

describe('HL7 corpus files', () => {
  for (const entry of CORPUS) {
    it(`parses ${entry.file}`, () => {
      const parsed = parseMessages(hl7Fixture(entry.file));

      expect(parsed.errors).toEqual([]);
      expect(parsed.messages).toHaveLength(1);
      const message = present(parsed.messages[0], 'message');
      expect(ids(message)).toBe(entry.segmentIds);
      for (const [path, value] of Object.entries(entry.values)) {
        expect(message.get(path), path).toBe(value);
      }
      expect(message.warnings.some((warning) => warning.code === 'lf-terminator')).toBe(entry.lineFeeds);
    });
  }

  it('reads the HAPI file of 13 lab workflow messages', () => {
    const parsed = parseMessages(hl7Fixture('hapi_example_oml_o21.hl7'));

    expect(parsed.errors).toEqual([]);
    expect(parsed.messages.map((message) => message.get('MSH-9'))).toEqual([
      'OML^O21^OML_O21',
      'OML^O21^OML_O21',
      'OUL^R22^OUL_R22',
      'OUL^R22^OUL_R22',
      'OML^O21^OML_O21',
      'OUL^R22^OUL_R22',
      'OML^O21^OML_O21',
      'OUL^R22^OUL_R22',
      'ORL^O34^ORL_O34',
      'ORU^R01^ORU_R01',
      'OML^O21',
      'OML^O21',
      'OML^O21^OML_O21',
    ]);
    expect(parsed.messages.map((message) => message.controlId)).toEqual([
      'msgOP123',
      'msgOF102',
      'msgOF103',
      'msgOF105',
      'msgOP124',
      'msgOF108',
      'msgOF109',
      'msgOF110',
      '301',
      'LAB562901',
      '',
      '',
      'msgOF101',
    ]);
    expect(parsed.messages.map((message) => message.segments.length)).toEqual([10, 9, 11, 13, 12, 15, 11, 17, 10, 9, 14, 11, 11]);
    expect(present(parsed.messages[0], 'message').get('PID-5')).toBe('EVERYMAN^ADAM^^JR^^^L');
    expect(present(parsed.messages[10], 'message 10').get('PID-5.2')).toBe('RODOLFO SEBASTIÁN');
    expect(parsed.messages.every((message) => message.warnings.length === 0)).toBe(true);
  });

  it('reads the HAPI OUL^R22 results with their observations', () => {
    const oul = present(parseMessages(hl7Fixture('hapi_example_oml_o21.hl7')).messages[3], 'message 4');
    const lab = readLabMessage(oul);

    expect(lab.orders).toHaveLength(1);
    const observations = present(lab.orders[0], 'order group').observations;
    expect(observations.map((observation) => observation.code.code)).toEqual(['GLUCOSE', '14996-3', '30263-8', '30264-6']);
    expect(present(observations[1], 'observation 1').values).toEqual([{ kind: 'number', raw: '4200', value: 4200 }]);
    expect(present(observations[1], 'observation 1').units.code).toBe('umol/l');
    expect(present(observations[1], 'observation 1').referenceRange).toEqual({ text: '4000-6100', low: 4000, high: 6100 });
    expect(present(observations[3], 'observation 3').values).toEqual([]);
    expect(present(observations[3], 'observation 3').resultStatus).toBe('X');
    expect(lab.specimens.map((specimen) => specimen.placerSpecimenId)).toEqual(['123456781', '123456782', '123456783']);
    expect(present(lab.specimens[2], 'specimen 3').rejectReason.code).toBe('RB');
  });

  it('reads the Natus file as an acknowledgment', () => {
    const message = parseMessage(hl7Fixture('cdc_Natus_001_Natus_ACK.hl7'));

    expect(readAcknowledgment(message)).toMatchObject({ code: 'AA', controlId: '0A173B79-D7AC-444F-99E7-C96B4A68B188', errors: [] });
  });
});

describe('Erba ELite 580 MLLP log', () => {
  function decodeAll(bytes: Buffer): MllpEvent[] {
    const decoder = new MllpDecoder();
    return [...decoder.push(bytes), ...decoder.end()];
  }

  it('finds 95 blocks and rejects the 9 the logger spliced an ACK into', () => {
    const events = decodeAll(hl7Fixture('astmio_erba_elite580_log.decoded'));
    const blocks = events.flatMap((event) => (event.type === 'message' ? [event] : []));
    const outcomes = blocks.map((block) => {
      try {
        return parseMessage(block.payload, { offset: block.offset });
      } catch (error) {
        return error as Error;
      }
    });
    const rejected = outcomes.filter((outcome) => outcome instanceof Error);

    expect(blocks).toHaveLength(95);
    expect(events.some((event) => event.type === 'error')).toBe(false);
    expect(rejected).toHaveLength(9);
    expect(rejected.every((error) => 'kind' in error && error.kind === 'multiple-messages')).toBe(true);
  });

  function blockPayloads(): Buffer[] {
    return decodeAll(hl7Fixture('astmio_erba_elite580_log.decoded')).flatMap((event) => (event.type === 'message' ? [event.payload] : []));
  }

  it('reads the first block up to where the log cut it', () => {
    const message = parseMessage(present(blockPayloads()[0], 'block 1'));
    const lab = readLabMessage(message);
    const observations = present(lab.orders[0], 'order group').observations;
    const byName = new Map(observations.map((observation) => [observation.code.text, observation]));

    expect(message.controlId).toBe('031416ea601f4d8fa02c823f6fa42b8e');
    expect(message.warnings.map((warning) => warning.code)).toEqual(['charset-assumed']);
    expect(lab.orders[0]?.request?.fillerOrderNumber).toBe('25059651');
    expect(byName.get('WBC')).toMatchObject({ values: [{ kind: 'number', value: 7.13 }], units: { code: '10*3/uL' }, referenceRange: { low: 4, high: 10 }, abnormalFlags: ['N'] });
    expect(byName.get('NEU%')).toMatchObject({ values: [{ kind: 'number', value: 43.2 }], abnormalFlags: ['L', 'A'] });
    // The logger wrote OBX 37 into OBX 17 and ended the block after OBX 38; PLT (OBX 30) lies outside it.
    expect(observations).toHaveLength(18);
    expect(present(observations[16], 'observation 16').code.system).toBe('LNOBX');
    expect(observations[17]).toMatchObject({ setId: '38', code: { text: 'Thrombocytopenia' }, values: [{ kind: 'text', text: 'T' }] });
    expect(byName.has('PLT')).toBe(false);
  });

  it('reads the second block whole', () => {
    const lab = readLabMessage(parseMessage(present(blockPayloads()[1], 'block 2')));
    const observations = present(lab.orders[0], 'order group').observations;
    const byName = new Map(observations.map((observation) => [observation.code.text, observation]));

    expect(lab.header.controlId).toBe('ac84fae48b0e475996af764673f793fb');
    expect(lab.orders[0]?.request?.fillerOrderNumber).toBe('25059143');
    expect(observations).toHaveLength(36);
    expect(byName.get('WBC')).toMatchObject({ values: [{ kind: 'number', value: 6.75 }], abnormalFlags: ['N'] });
    expect(byName.get('BAS#')).toMatchObject({ values: [{ kind: 'number', value: 0.03 }], referenceRange: { low: 0, high: 0.1 } });
    expect(byName.get('PLT')).toMatchObject({ code: { code: '777-3', system: 'LN' }, values: [{ kind: 'number', value: 204 }], units: { code: '10*3/uL' }, resultStatus: 'F' });
  });

  it('skips the escaped log as bytes outside any block', () => {
    const bytes = hl7Fixture('astmio_erba_elite580_log.txt');
    const events = decodeAll(bytes);

    expect(events.filter((event) => event.type === 'message')).toEqual([]);
    expect(events).toEqual([{ type: 'warning', warning: expect.objectContaining({ code: 'bytes-outside-block', offset: 0, message: `${bytes.length} bytes outside an MLLP block were skipped` }) }]);
  });
});
