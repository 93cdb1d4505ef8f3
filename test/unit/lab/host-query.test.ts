import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AstmMessage } from '../../../devices/astm/index.js';
import { parseAstmMessage, parseAstmMessages } from '../../../devices/astm/index.js';
import { parseMessage, readQueryResponse } from '../../../devices/hl7/index.js';
import type { LabReply } from '../../../main/core/lab/analyzer-session.js';
import type { HostQueryOutcome } from '../../../main/core/lab/host-query.js';
import { HostQueryResponder } from '../../../main/core/lab/host-query.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import { makeTempDirectory, openTestReplica } from '../../support/replica.js';
import { captureLogs, LEVEL } from '../devices/transport/log-capture.js';
import { ACCESSION, chemistryProfile, GLUCOSE, HBA1C, insertRecords, PATIENT, POTASSIUM, serviceRequest, SODIUM, specimen, SPECIMEN_ID } from './host-query-setup.js';

const NOW = new Date('2026-12-05T09:30:00.000Z');

/** Builds an analyzer's query for the orders of the given Q.3 and Q.5, as its records arrive. */
function astmQuery(startingRange: string, testIds = '^^^ALL', status = 'O'): string {
  return ['H|\\^&|||CHEM^1|||||||P|1', `Q|1|${startingRange}||${testIds}||||||||${status}`, 'L|1|N'].join('\r') + '\r';
}

function qbp(specimenField: string, trigger = 'Q11'): string {
  return (
    [
      `MSH|^~\\&|CHEM|LAB|HMS|HOSP|20261205093000||QBP^${trigger}^QBP_${trigger}|Q-0001|P|2.5.1`,
      `QPD|WOS^Work Order Step^IHE_LABTF|TAG-7|${specimenField}`,
      'RCP|I||R',
    ].join('\r') + '\r'
  );
}

function astmResponse(outcome: HostQueryOutcome | undefined): AstmMessage {
  const reply = outcome?.reply;
  if (reply?.protocol !== 'astm') throw new Error(`Expected an ASTM reply, got ${JSON.stringify(reply?.protocol)}`);
  return parseAstmMessage(reply.bytes);
}

function hl7Response(reply: LabReply | undefined) {
  if (reply?.protocol !== 'hl7') throw new Error(`Expected an HL7 reply, got ${JSON.stringify(reply?.protocol)}`);
  return parseMessage(reply.message.toBytes());
}

describe('host query responder', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let replica: ReplicaDatabase;
  let logs: ReturnType<typeof captureLogs>;
  let responder: HostQueryResponder;
  const profile = chemistryProfile();
  const context = { messageId: 'msg-1', profile, live: true };

  beforeEach(async () => {
    directory = makeTempDirectory('host-query');
    replica = await openTestReplica(directory.path, 'host-query');
    logs = captureLogs();
    responder = new HostQueryResponder({ replica, logger: logs.logger, now: () => NOW, timeZone: 'Europe/Berlin' });

    await insertRecords(replica, [
      PATIENT,
      serviceRequest({ id: 'sr-glu', loinc: GLUCOSE, authoredOn: '2026-12-05T06:15:00Z' }),
      serviceRequest({ id: 'sr-k', loinc: POTASSIUM, status: 'on-hold', priority: 'stat', authoredOn: '2026-12-05T06:20:00Z' }),
      serviceRequest({ id: 'sr-na-done', loinc: SODIUM, status: 'completed' }),
      serviceRequest({ id: 'sr-a1c', loinc: HBA1C }),
      serviceRequest({ id: 'sr-na-not', loinc: SODIUM, doNotPerform: true }),
      serviceRequest({ id: 'sr-crea', analyzerCode: 'CREA', namesSpecimen: SPECIMEN_ID }),
      specimen({ requests: ['sr-glu', 'sr-k', 'sr-na-done', 'sr-a1c', 'sr-na-not'], collectedDateTime: '2026-12-05T07:05:00Z' }),
      serviceRequest({ id: 'sr-other-done', loinc: GLUCOSE, status: 'completed' }),
      specimen({ id: 'specimen-5002', accession: 'ACC-5002', requests: ['sr-other-done'] }),
    ]);
  });

  afterEach(async () => {
    await replica.close();
    directory.remove();
  });

  describe('ASTM', () => {
    it('sends pending tests of a known specimen', async () => {
      const outcome = await responder.respondToAstm(parseAstmMessages(astmQuery(`^${ACCESSION}^7^2`)), context);
      const answer = astmResponse(outcome);

      expect(answer.records.map((record) => record.type).join('')).toBe('HPOL');
      const patient = answer.recordsOfType('P')[0];
      expect(patient?.value('practiceAssignedPatientId')).toBe('MRN-40001');
      expect(patient?.field('patientName').components).toEqual(['Quinn', 'Ada', 'Marie']);
      expect(patient?.value('birthdate')).toBe('19610309');
      expect(patient?.value('patientSex')).toBe('F');

      const order = answer.recordsOfType('O')[0];
      expect(order?.value('specimenId')).toBe(ACCESSION);
      expect(order?.field('instrumentSpecimenId').components).toEqual(['7', '2']);
      expect(order?.field('universalTestId').repeats.map((components) => components[3])).toEqual(['GLU', 'K', 'CREA']);
      expect(order?.value('priority')).toBe('S');
      expect(order?.value('requestedOrderedDateAndTime')).toBe('20261205071500');
      expect(order?.value('specimenCollectionDateAndTime')).toBe('20261205080500');
      expect(order?.value('actionCode')).toBe('N');
      expect(order?.value('reportTypes')).toBe('Q');
      expect(answer.recordsOfType('L')[0]?.value('terminationCode')).toBe('N');
      expect(answer.header.value('receiverId')).toBe('CHEM');
    });

    it('records the order count and left-out orders', async () => {
      const outcome = await responder.respondToAstm(parseAstmMessages(astmQuery(`^${ACCESSION}`)), context);

      expect(outcome?.detail).toMatchObject({ responded: true, specimens: 1, orders: 3, unknownSpecimens: 0, notOnAnalyzer: ['ServiceRequest/sr-a1c'] });
      expect(outcome?.detail.response).toContain(`O|1|${ACCESSION}`);
      const warning = logs.lines.find((line) => line.level === LEVEL.warn);
      expect(warning?.serviceRequests).toEqual(['ServiceRequest/sr-a1c']);
      expect(logs.text()).not.toContain('Quinn');
      expect(logs.text()).not.toContain('MRN-40001');
      expect(logs.text()).not.toContain(ACCESSION);
    });

    it('sends Z for an unknown specimen', async () => {
      const outcome = await responder.respondToAstm(parseAstmMessages(astmQuery('^NOPE-1^3')), context);
      const answer = astmResponse(outcome);

      expect(answer.records.map((record) => record.type).join('')).toBe('HPOL');
      expect(answer.recordsOfType('P')[0]?.fieldCount).toBe(2);
      const order = answer.recordsOfType('O')[0];
      expect(order?.value('specimenId')).toBe('NOPE-1');
      expect(order?.field('instrumentSpecimenId').value).toBe('3');
      expect(order?.field('universalTestId').isEmpty).toBe(true);
      expect(order?.value('reportTypes')).toBe('Z');
      expect(outcome?.detail).toMatchObject({ orders: 0, unknownSpecimens: 1 });
    });

    it('sends Y when nothing is pending', async () => {
      const answer = astmResponse(await responder.respondToAstm(parseAstmMessages(astmQuery('^ACC-5002')), context));

      expect(answer.recordsOfType('P')[0]?.value('practiceAssignedPatientId')).toBe('MRN-40001');
      expect(answer.recordsOfType('O')[0]?.value('reportTypes')).toBe('Y');
      expect(answer.recordsOfType('O')[0]?.field('universalTestId').isEmpty).toBe(true);
    });

    it('covers each specimen of Q.3', async () => {
      const answer = astmResponse(await responder.respondToAstm(parseAstmMessages(astmQuery(`^${ACCESSION}\\^NOPE-2`)), context));

      expect(answer.records.map((record) => record.type).join('')).toBe('HPOPOL');
      expect(answer.recordsOfType('P').map((record) => record.value('sequenceNumber'))).toEqual(['1', '2']);
      expect(answer.recordsOfType('O').map((record) => [record.value('specimenId'), record.value('reportTypes')])).toEqual([
        [ACCESSION, 'Q'],
        ['NOPE-2', 'Z'],
      ]);
    });

    it('keeps only tests Q.5 requests', async () => {
      const answer = astmResponse(await responder.respondToAstm(parseAstmMessages(astmQuery(`^${ACCESSION}`, '^^^K')), context));
      const order = answer.recordsOfType('O')[0];

      expect(order?.field('universalTestId').repeats).toEqual([['', '', '', 'K']]);
      expect(order?.value('requestedOrderedDateAndTime')).toBe('20261205072000');
    });

    it('sends nothing after a cancelled query', async () => {
      const outcome = await responder.respondToAstm(parseAstmMessages(astmQuery(`^${ACCESSION}`, '^^^ALL', 'A')), context);

      expect(outcome?.reply).toBeUndefined();
      expect(outcome?.detail.responded).toBe(false);
      expect(outcome?.detail.reason).toContain('cancelled');
    });

    it('sends no information without a specimen', async () => {
      const answer = astmResponse(await responder.respondToAstm(parseAstmMessages(astmQuery('ALL')), context));

      expect(answer.records.map((record) => record.type).join('')).toBe('HL');
      expect(answer.recordsOfType('L')[0]?.value('terminationCode')).toBe('I');
    });

    it('stays silent without hostQuery', async () => {
      const outcome = await responder.respondToAstm(parseAstmMessages(astmQuery(`^${ACCESSION}`)), { ...context, profile: chemistryProfile({ hostQuery: false }) });

      expect(outcome?.reply).toBeUndefined();
      expect(outcome?.detail.reason).toContain('hostQuery');
      expect(logs.lines.some((line) => line.level === LEVEL.warn && line.msg.includes('hostQuery'))).toBe(true);
    });

    it('builds no reply for an archived query', async () => {
      const outcome = await responder.respondToAstm(parseAstmMessages(astmQuery(`^${ACCESSION}`)), { ...context, live: false });

      expect(outcome?.reply).toBeUndefined();
      expect(outcome?.detail.responded).toBe(false);
    });

    it('ignores a message without Q records', async () => {
      const results = ['H|\\^&', 'P|1', `O|1|${ACCESSION}||^^^GLU`, 'R|1|^^^GLU|95|mg/dL', 'L|1|N'].join('\r') + '\r';

      expect(await responder.respondToAstm(parseAstmMessages(results), context)).toBeUndefined();
    });

    it('uses the query\'s delimiters', async () => {
      const query = ['H|@^\\|||CHEM^1', `Q|1|^${ACCESSION}||^^^ALL`, 'L|1|N'].join('\r') + '\r';
      const outcome = await responder.respondToAstm(parseAstmMessages(query), context);
      const reply = outcome?.reply;

      expect(reply?.protocol === 'astm' ? reply.bytes.toString('latin1').slice(0, 5) : undefined).toBe('H|@^\\');
      expect(astmResponse(outcome).recordsOfType('O')[0]?.field('universalTestId').repeats).toHaveLength(3);
    });
  });

  describe('HL7', () => {
    const hl7Profile = chemistryProfile({ protocol: { name: 'hl7-mllp', version: '2.5.1' } });
    const hl7Context = { messageId: 'msg-2', profile: hl7Profile, live: true };

    it('sends pending orders for QBP^Q11', async () => {
      const outcome = await responder.respondToHl7(parseMessage(qbp(ACCESSION)), hl7Context);
      const answer = hl7Response(outcome?.reply);
      const response = readQueryResponse(answer);

      expect(answer.messageType).toEqual({ code: 'RSP', trigger: 'K11', structure: 'RSP_K11' });
      expect(answer.get('MSA-1')).toBe('AA');
      expect(answer.get('MSA-2')).toBe('Q-0001');
      expect(response.queryTag).toBe('TAG-7');
      expect(response.status).toBe('OK');
      expect(response.hitCount).toBe('3');
      expect(response.segments.map((segment) => segment.id).join(' ')).toBe('PID SPM ORC OBR ORC OBR ORC OBR');
      expect(answer.get('PID-3.1')).toBe('MRN-40001');
      expect(answer.get('PID-5.1')).toBe('Quinn');
      expect(answer.get('PID-8')).toBe('F');
      expect(answer.get('SPM-2.1')).toBe(ACCESSION);
      expect(answer.get('SPM-4.1')).toBe('119364003');
      expect(answer.get('SPM-17')).toBe('20261205080500+0100');
      expect(answer.segmentsWithId('OBR').map((segment) => segment.value(4, 1, 1))).toEqual(['GLU', 'K', 'CREA']);
      expect(answer.get('OBR-4.4')).toBe(GLUCOSE.code);
      expect(answer.segmentsWithId('ORC').map((segment) => segment.value(5))).toEqual(['SC', 'HD', 'SC']);
      expect(answer.segmentsWithId('OBR').map((segment) => segment.value(2))).toEqual(['sr-glu', 'sr-k', 'sr-crea']);
      expect(answer.segment('OBR', 2)?.value(5)).toBe('S');
      expect(outcome?.detail).toMatchObject({ responded: true, orders: 3, notOnAnalyzer: ['ServiceRequest/sr-a1c'] });
    });

    it('sends NF for an unknown specimen', async () => {
      const outcome = await responder.respondToHl7(parseMessage(qbp('NOPE-3')), hl7Context);
      const answer = hl7Response(outcome?.reply);
      const response = readQueryResponse(answer);

      expect(answer.get('MSA-1')).toBe('AA');
      expect(response.status).toBe('NF');
      expect(response.hitCount).toBe('0');
      expect(response.segments).toEqual([]);
      expect(outcome?.detail).toMatchObject({ orders: 0, unknownSpecimens: 1 });
    });

    it('rejects a query without a specimen', async () => {
      const answer = hl7Response((await responder.respondToHl7(parseMessage(qbp('')), hl7Context))?.reply);

      expect(answer.get('MSA-1')).toBe('AE');
      expect(readQueryResponse(answer).status).toBe('AE');
      expect(answer.get('ERR-2.1')).toBe('QPD');
      expect(answer.get('ERR-2.3')).toBe('3');
      expect(answer.get('ERR-3.1')).toBe('101');
    });

    it('rejects another QBP trigger', async () => {
      const answer = hl7Response((await responder.respondToHl7(parseMessage(qbp(ACCESSION, 'Q22')), hl7Context))?.reply);

      expect(answer.get('MSA-1')).toBe('AR');
      expect(answer.get('ERR-3.1')).toBe('201');
    });

    it('rejects a query without hostQuery', async () => {
      const outcome = await responder.respondToHl7(parseMessage(qbp(ACCESSION)), { ...hl7Context, profile: chemistryProfile({ protocol: { name: 'hl7-mllp', version: '2.5.1' }, hostQuery: false }) });
      const answer = hl7Response(outcome?.reply);

      expect(answer.get('MSA-1')).toBe('AR');
      expect(answer.get('ERR-3.1')).toBe('200');
      expect(answer.segmentsWithId('PID')).toHaveLength(0);
    });

    it('ignores a result message', async () => {
      const oru = ['MSH|^~\\&|CHEM|LAB|HMS|HOSP|20261205093000||ORU^R01|R-1|P|2.5.1', 'OBR|1||ACC-5001|GLU', 'OBX|1|NM|GLU||95|mg/dL'].join('\r') + '\r';

      expect(await responder.respondToHl7(parseMessage(oru), hl7Context)).toBeUndefined();
    });
  });
});
