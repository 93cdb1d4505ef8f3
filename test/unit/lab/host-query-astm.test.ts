import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { AstmMessage, AstmRecord } from '../../../devices/astm/index.js';
import { parseAstmMessage, parseAstmMessages, readAstmFrames } from '../../../devices/astm/index.js';
import type { AnalyzerProfile } from '../../../devices/profiles/index.js';
import { buildAstmQueryResponse, encodeAstmResponse, readAstmHostQuery } from '../../../main/core/lab/host-query-astm.js';
import type { SpecimenOrders } from '../../../main/core/lab/host-query-orders.js';
import { chemistryProfile, PATIENT } from './host-query-setup.js';

const NOW = new Date('2026-12-05T09:30:00.000Z');

/** The LAB-33 case: a Roche cobas e 411 host query and the replies its host interface manual expects. */
const LAB_33 = JSON.parse(readFileSync(new URL('../../fixtures/lab-cases/expected.json', import.meta.url), 'utf8'))['LAB-33.astm'] as {
  reply_when_no_orders: { 'O record': string };
  reply_when_orders_exist: { 'O record': string; records: string[] };
};

function lab33Query() {
  const bytes = readFileSync(new URL('../../fixtures/lab-cases/LAB-33.astm', import.meta.url));
  const text = readAstmFrames(bytes).flatMap((token) => (token.kind === 'frame' ? [token.frame.text.toString('latin1')] : []));
  return parseAstmMessages(text.join(''));
}

/** Fields with trailing empty components and repetitions dropped: LIS2-A2 reads them as absent. */
function normalizedFields(record: AstmRecord | undefined): string[][][] {
  return (record?.fields ?? []).map((field) =>
    field.repeats.map((components) => {
      const kept = [...components];
      while (kept.length > 1 && kept[kept.length - 1] === '') kept.pop();
      return kept;
    }),
  );
}

/** Builds the response to the one specimen a message's Q record names. */
function responseFor(messages: AstmMessage[], profile: AnalyzerProfile, orders: SpecimenOrders | undefined): string {
  const queried = readAstmHostQuery(messages, profile)?.specimens[0];
  const first = messages[0];
  if (!queried || !first) throw new Error('The test query names no specimen');
  return buildAstmQueryResponse(first, [{ queried, orders }], { profile, timeZone: 'UTC', now: NOW });
}

function ordersOf(testCodes: string[]): SpecimenOrders {
  return {
    accession: 'SID0033',
    specimenId: 'Specimen/sid0033',
    specimen: { resourceType: 'Specimen', id: 'sid0033' },
    patient: undefined,
    tests: testCodes.map((testCode) => ({
      serviceRequestId: `ServiceRequest/sr-${testCode}`,
      testCode,
      display: testCode,
      loinc: undefined,
      status: 'active' as const,
      priority: 'routine',
      authoredOn: undefined,
    })),
    notOnAnalyzer: [],
  };
}

describe('ASTM host query responses', () => {
  const cobas = chemistryProfile({ tests: { '10': { display: 'TSH', note: 'cobas application code' }, '30': { display: 'FT4', note: 'cobas application code' } } });

  it('reads the LAB-33 query', () => {
    const query = readAstmHostQuery(lab33Query(), cobas);

    expect(query?.specimens).toEqual([{ specimenId: 'SID0033', instrumentFields: ['40', '0', '5', '', 'SAMPLE', 'NORMAL'], requestedTests: undefined }]);
    expect(query?.cancellations).toBe(0);
  });

  it('matches LAB-33 without orders', () => {
    const text = responseFor(lab33Query(), cobas, undefined);
    const records = text.split('\r');

    expect(records.map((record) => record[0]).join('')).toBe('HPOL');
    expect(records[2]).toBe(LAB_33.reply_when_no_orders['O record']);
  });

  it('matches LAB-33 with orders', () => {
    const text = responseFor(lab33Query(), cobas, ordersOf(['10', '30']));
    const answer = parseAstmMessage(text);
    const expected = parseAstmMessage(`H|\\^&\r${LAB_33.reply_when_orders_exist['O record']}\r`);

    expect(answer.records.map((record) => record.type)).toEqual(LAB_33.reply_when_orders_exist.records);
    expect(normalizedFields(answer.recordsOfType('O')[0])).toEqual(normalizedFields(expected.recordsOfType('O')[0]));
    // The instrument fields are echoed byte for byte, empty component included.
    expect(text).toContain('|SID0033|40^0^5^^SAMPLE^NORMAL|');
  });

  it('counts a cancel and skips its specimens', () => {
    const messages = parseAstmMessages('H|\\^&\rQ|1|^S1||^^^ALL||||||||A\rQ|2|^S2||^^^ALL||||||||O\rL|1|N\r');
    const query = readAstmHostQuery(messages, cobas);

    expect(query?.cancellations).toBe(1);
    expect(query?.specimens.map((specimen) => specimen.specimenId)).toEqual(['S2']);
  });

  it('reads a specimen ID sent alone', () => {
    const query = readAstmHostQuery(parseAstmMessages('H|\\^&\rQ|1|S7||^^^ALL\rL|1|N\r'), cobas);

    expect(query?.specimens.map((specimen) => specimen.specimenId)).toEqual(['S7']);
    expect(query?.specimens[0]?.instrumentFields).toEqual([]);
  });

  it('places multi-component codes at their positions', () => {
    const xpert = chemistryProfile({
      protocol: { name: 'astm-e1381', testCodeComponents: [4, 7] },
      tests: { 'Xpert^MTB': { display: 'MTB', note: 'two-component code' } },
    });
    const messages = parseAstmMessages('H|\\^&\rQ|1|^S9||^^^Xpert^^^MTB\rL|1|N\r');
    const query = readAstmHostQuery(messages, xpert);
    const orders = { ...ordersOf(['Xpert^MTB']), accession: 'S9' };

    expect([...(query?.specimens[0]?.requestedTests ?? [])]).toEqual(['Xpert^MTB']);
    const text = responseFor(messages, xpert, orders);
    expect(parseAstmMessage(text).recordsOfType('O')[0]?.field('universalTestId').components).toEqual(['', '', '', 'Xpert', '', '', 'MTB']);
  });

  it('writes the patient from the replica', () => {
    const orders = { ...ordersOf(['10']), patient: { ...PATIENT, name: [{ family: 'Ng|Ho', given: ['Li^Na'] }], gender: 'other' } };
    const text = responseFor(parseAstmMessages('H|\\^&\rQ|1|^ACC||^^^ALL\rL|1|N\r'), cobas, orders);
    const patient = parseAstmMessage(text).recordsOfType('P')[0];

    expect(patient?.field('patientName').components).toEqual(['Ng|Ho', 'Li^Na', '']);
    expect(patient?.value('patientSex')).toBe('U');
  });

  describe('encoding', () => {
    it('keeps Latin-1 characters', () => {
      expect(encodeAstmResponse('P|1||||Müller^José\r', cobas)).toEqual(Buffer.from('P|1||||Müller^José\r', 'latin1'));
    });

    it('strips accents outside Latin-1', () => {
      expect(encodeAstmResponse('Dvořák Łukasz €', cobas).toString('latin1')).toBe('Dvorák ?ukasz ?');
    });

    it('writes UTF-8 when the profile says so', () => {
      const utf8 = chemistryProfile({ protocol: { name: 'astm-e1381', encoding: 'utf-8' } });

      expect(encodeAstmResponse('Dvořák', utf8).toString('utf8')).toBe('Dvořák');
    });
  });
});
