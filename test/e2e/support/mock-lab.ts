import type { ApiErrorBody } from '../../../preload/api/index.js';
import type { LabConnection, LabMessageDetail, LabMessageView, LabResultGroupView, LabResultView, LabReviewItem } from '../../../preload/api/lab-schemas.js';
import { labMatchInput, labRejectInput, labReviewId } from '../../../preload/api/lab-schemas.js';

/**
 * A made-up lab bench for the renderer preview: three analyzer connections (open, reconnecting,
 * failed), messages in every outcome the stream shows, and one result group waiting for review
 * with an unknown accession and a critical flag. People, numbers and records are invented.
 */

const MINUTE = 60_000;

/** Specimens the mock can match a held group to, by accession. */
const MOCK_SPECIMENS: Record<string, { specimenId: string; patientId: string; patientName: string; mrn: string }> = {
  'CL-PL-26-0101': { specimenId: 'Specimen/specimen-cl-pl-26-0101', patientId: 'pat-0003', patientName: 'NOWAK, Irena', mrn: 'H1003310' },
  'CL-PL-26-0102': { specimenId: 'Specimen/specimen-cl-pl-26-0102', patientId: 'pat-0004', patientName: 'FERREIRA, João', mrn: 'H1003377' },
};

/** The accession a preview types to match the held group. */
export const MOCK_MATCH_ACCESSION = 'CL-PL-26-0102';

function result(testCode: string, display: string, value: string, unit: string | null, referenceRange: string | null, interpretation: string[], reviewReasons: string[] = []): LabResultView {
  return { testCode, display, loinc: null, value, unit, referenceRange, interpretation, status: 'final', reviewReasons };
}

const CHEMISTRY: LabResultView[] = [
  result('685/', 'cobas c 311 application 685', '22.4', 'U/L', '0-35', ['A']),
  result('687/', 'cobas c 311 application 687', '15.0', 'U/L', '0-35', ['N']),
  result('712/', 'cobas c 311 application 712', '4.1', 'umol/L', '5-21', ['L']),
  result('717/', 'cobas c 311 application 717', '5.85', 'mmol/L', '3.9-6.1', ['N']),
];

const HELD: LabResultView[] = [
  result('717/', 'cobas c 311 application 717', '28.4', 'mmol/L', '3.9-6.1', ['HH'], ['critical-flag']),
  result('690/', 'cobas c 311 application 690', '118', 'umol/L', '45-90', ['H']),
  result('735/', 'cobas c 311 application 735', '1.6', 'umol/L', null, []),
];

const BLOOD_COUNT: LabResultView[] = [
  { ...result('WBC', 'Leukocytes [#/volume] in Blood', '2.9', '10*3/uL', '4.0-10.0', ['L']), loinc: '6690-2' },
  { ...result('HGB', 'Hemoglobin [Mass/volume] in Blood', '6.1', 'g/dL', '12.0-16.0', ['LL'], ['critical-flag']), loinc: '718-7' },
  { ...result('PLT', 'Platelets [#/volume] in Blood', '212', '10*3/uL', '150-400', []), loinc: '777-3' },
];

function group(accession: string, results: LabResultView[]): LabResultGroupView {
  const specimen = MOCK_SPECIMENS[accession];
  return {
    accession,
    specimenId: specimen?.specimenId ?? null,
    patientId: specimen?.patientId ?? null,
    patientName: specimen?.patientName ?? null,
    mrn: specimen?.mrn ?? null,
    results,
  };
}

/** Renders records the way the core shows a raw ASTM message: control characters by name, one record a line. */
function astmRaw(records: string[]): string {
  return `<ENQ><STX>1${records.join('<CR>\n')}<CR>\n<ETX>A7<CR><LF>\n<EOT>`;
}

const C311_RECORDS = [
  'H|\\^&|||c311^1|||||host|RSUPL^REAL|P|1',
  'P|1',
  'O|1|CL-PL-26-0101^^1^^004|R1|^^^685/\\^^^687/\\^^^712/\\^^^717/|R',
  'R|1|^^^685/|22.4|U/l||A||F',
  'R|2|^^^687/|15.0|U/l||N||F',
  'R|3|^^^712/|4.1|umol/l||L||F',
  'R|4|^^^717/|5.85|mmol/l||N||F',
  'L|1|N',
];

const HELD_RECORDS = [
  'H|\\^&|||c311^1|||||host|RSUPL^REAL|P|1',
  'P|1',
  'O|1|ZZ-0417^^1^^004|R1|^^^717/\\^^^690/\\^^^735/|R',
  'R|1|^^^717/|28.4|mmol/l||HH||F',
  'R|2|^^^690/|118|umol/l||H||F',
  'R|3|^^^735/|1.6|umol/l||||F',
  'L|1|N',
];

interface MockMessage extends LabMessageView {
  raw: string;
  documentIds: string[];
}

/** A failed lab call, carrying the error body the gateway would return. */
export class MockLabError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
  }
}

/** The lab part of the mock `window.hms`: its data, and handlers keyed by channel. */
export class MockLab {
  readonly connections: LabConnection[];
  readonly messages: MockMessage[];
  readonly review: LabReviewItem[];
  readonly #emit: (what: 'connections' | 'messages' | 'review') => void;

  constructor(now: Date, emit: (change: { what: 'connections' | 'messages' | 'review'; waitingForReview: number }) => void) {
    const ago = (minutes: number) => new Date(now.getTime() - minutes * MINUTE).toISOString();
    this.#emit = (what) => emit({ what, waitingForReview: this.review.filter((item) => item.state === 'waiting').length });
    this.connections = [
      { id: 'roche-cobas-c311', name: 'cobas c 311 (chemistry)', protocol: 'astm', endpoint: '/dev/ttyUSB0', state: 'open', reason: 'port opened', messagesReceived: 2, failures: 0, lastMessageAt: ago(3) },
      { id: 'sysmex-xn550', name: 'Sysmex XN-550 (haematology)', protocol: 'astm', endpoint: '/dev/ttyUSB1', state: 'reconnecting', reason: 'The port /dev/ttyUSB1 disappeared; reopening in 4 s', messagesReceived: 1, failures: 1, lastMessageAt: ago(48) },
      { id: 'abbott-afinion-2', name: 'Afinion 2 (point of care)', protocol: 'hl7', endpoint: '127.0.0.1:5101', state: 'failed', reason: 'Listening on 127.0.0.1:5101 failed: the address is in use (EADDRINUSE); free the port or change it in the settings', messagesReceived: 0, failures: 0, lastMessageAt: null },
    ];
    this.messages = [
      { id: 'msg-0004', connectionId: 'roche-cobas-c311', protocol: 'astm', receivedAt: ago(3), outcome: 'review', repeatOf: null, groups: [group('ZZ-0417', HELD)], error: null, raw: astmRaw(HELD_RECORDS), documentIds: [] },
      { id: 'msg-0003', connectionId: 'roche-cobas-c311', protocol: 'astm', receivedAt: ago(12), outcome: 'stored', repeatOf: null, groups: [group('CL-PL-26-0101', CHEMISTRY)], error: null, raw: astmRaw(C311_RECORDS), documentIds: ['Observation/obs-1', 'DiagnosticReport/dr-1'] },
      { id: 'msg-0002', connectionId: 'sysmex-xn550', protocol: 'astm', receivedAt: ago(48), outcome: 'rejected', repeatOf: null, groups: [], error: 'ASTM frame 3 failed its checksum six times; the transfer was abandoned', raw: '<ENQ><STX>1H|\\^&|||XN-550<CR>\n<ETB>5F<CR><LF>\n<EOT>', documentIds: [] },
    ];
    this.review = [
      {
        id: 'review-0001',
        messageId: 'msg-0004',
        connectionId: 'roche-cobas-c311',
        createdAt: ago(3),
        reasons: ['critical-flag', 'unknown-accession'],
        group: group('ZZ-0417', HELD),
        state: 'waiting',
        decidedAt: null,
        decidedBy: null,
        decisionReason: null,
      },
    ];
  }

  /**
   * Adds a blood count with a critical haemoglobin, as if the analyzer had just sent it. Its
   * specimen is known, so it waits for review for the critical flag alone and can be released as it is.
   */
  receiveBloodCount(now: Date): void {
    const messageId = `msg-${String(this.messages.length + 10).padStart(4, '0')}`;
    const bloodCount = group('CL-PL-26-0101', BLOOD_COUNT);
    this.messages.unshift({
      id: messageId,
      connectionId: 'sysmex-xn550',
      protocol: 'astm',
      receivedAt: now.toISOString(),
      outcome: 'review',
      repeatOf: null,
      groups: [bloodCount],
      error: null,
      raw: astmRaw(['H|\\^&|||XN-550', 'P|1', 'O|1|CL-PL-26-0101||^^^WBC\\^^^HGB\\^^^PLT', 'R|1|^^^WBC|2.9|10*3/uL||L||F', 'R|2|^^^HGB|6.1|g/dL||LL||F', 'R|3|^^^PLT|212|10*3/uL||||F', 'L|1|N']),
      documentIds: [],
    });
    this.review.push({
      id: `review-${messageId}`,
      messageId,
      connectionId: 'sysmex-xn550',
      createdAt: now.toISOString(),
      reasons: ['critical-flag'],
      group: bloodCount,
      state: 'waiting',
      decidedAt: null,
      decidedBy: null,
      decisionReason: null,
    });
    const connection = this.connections.find((candidate) => candidate.id === 'sysmex-xn550');
    if (connection !== undefined) Object.assign(connection, { state: 'open', reason: 'port opened', messagesReceived: connection.messagesReceived + 1, lastMessageAt: now.toISOString() });
    this.#emit('review');
  }

  handlers(userId: () => string): Record<string, (input: unknown) => unknown> {
    return {
      'lab:connections': () => this.connections,
      'lab:recentMessages': () => this.messages.map(({ raw: _raw, documentIds: _documentIds, ...view }) => view),
      'lab:message': (input) => this.#message(input),
      'lab:reviewQueue': () => this.review.filter((item) => item.state === 'waiting'),
      'lab:matchReview': (input) => this.#match(input),
      'lab:releaseReview': (input) => this.#decide(labReviewId.parse(input).reviewId, 'released', userId(), null),
      'lab:rejectReview': (input) => {
        const parsed = labRejectInput.safeParse(input);
        if (!parsed.success) throw new MockLabError({ code: 'invalid-input', message: 'Give the reason for rejecting the result', issues: [{ path: 'reason', message: 'Too short' }] });
        return this.#decide(parsed.data.reviewId, 'rejected', userId(), parsed.data.reason);
      },
    };
  }

  #message(input: unknown): LabMessageDetail {
    const { messageId } = input as { messageId: string };
    const found = this.messages.find((message) => message.id === messageId);
    if (found === undefined) throw new MockLabError({ code: 'not-found', message: `Lab message ${messageId} is not in the archive; reload the list` });
    return found;
  }

  #waiting(reviewId: string): LabReviewItem {
    const item = this.review.find((candidate) => candidate.id === reviewId);
    if (item === undefined) throw new MockLabError({ code: 'not-found', message: `Review item ${reviewId} is not in the review queue; reload the review queue` });
    if (item.state !== 'waiting') throw new MockLabError({ code: 'conflict', message: `Review item ${reviewId} was already ${item.state}; reload the review queue` });
    return item;
  }

  #match(input: unknown): LabReviewItem {
    const { reviewId, accession } = labMatchInput.parse(input);
    const specimen = MOCK_SPECIMENS[accession];
    if (specimen === undefined) throw new MockLabError({ code: 'not-found', message: `No specimen with accession ${accession} is on this workstation; check the label, or wait until the order has synced` });
    const item = this.#waiting(reviewId);
    item.group = { ...item.group, specimenId: specimen.specimenId, patientId: specimen.patientId, patientName: specimen.patientName, mrn: specimen.mrn };
    this.#emit('review');
    return item;
  }

  #decide(reviewId: string, state: 'released' | 'rejected', userId: string, reason: string | null): LabReviewItem {
    const item = this.#waiting(reviewId);
    if (state === 'released' && item.group.specimenId === null) {
      throw new MockLabError({ code: 'conflict', message: `Review item ${reviewId} matches no specimen; match it to the specimen on the tube's label first` });
    }
    Object.assign(item, { state, decidedAt: new Date().toISOString(), decidedBy: userId, decisionReason: reason });
    this.#emit('review');
    return item;
  }
}
