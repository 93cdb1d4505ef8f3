import type { AstmMessage } from '../../../devices/astm/index.js';
import type { Hl7Message } from '../../../devices/hl7/index.js';
import type { AnalyzerProfile } from '../../../devices/profiles/index.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { Logger } from '../logging/logger.js';
import type { LabReply } from './analyzer-session.js';
import type { AstmQueriedOrders } from './host-query-astm.js';
import { buildAstmQueryResponse, encodeAstmResponse, readAstmHostQuery } from './host-query-astm.js';
import { buildHl7OrdersResponse, buildHl7QueryRejection, readHl7HostQuery } from './host-query-hl7.js';
import type { SpecimenOrders } from './host-query-orders.js';
import { findSpecimenOrders } from './host-query-orders.js';

/** The outcome of a host query, kept in the archive entry of the query. */
export interface HostQueryDetail {
  /** True when a response was handed to the connection to send. */
  responded: boolean;
  /** Reason no orders were sent, for lab IT; never patient data. */
  reason?: string;
  /** Specimens the query named. */
  specimens: number;
  /** Pending orders in the response. */
  orders: number;
  /** Queried specimens with no Specimen of that accession in the replica. */
  unknownSpecimens: number;
  /** Pending ServiceRequests left out because the analyzer has no test code for them, by document id. */
  notOnAnalyzer: string[];
  /** The response: ASTM records or HL7 segments, each ended by CR. */
  response?: string;
}

export interface HostQueryOutcome {
  reply: LabReply | undefined;
  detail: HostQueryDetail;
}

export interface HostQueryResponderOptions {
  replica: ReplicaDatabase;
  logger: Logger;
  now: () => Date;
  /** Zone of the analyzer's clock, for the timestamps in responses. */
  timeZone: string;
}

/** The query's archive id and connection, and whether the analyzer still waits for the response. */
export interface QueryContext {
  /** The archive id of the query, for logs. */
  messageId: string;
  profile: AnalyzerProfile | undefined;
  /**
   * False when handling an archived message again after a stop: the analyzer gave up waiting
   * long ago (E1381 senders wait 15 s), so no reply is built.
   */
  live: boolean;
}

const NOT_ENABLED = 'the connection\'s analyzer profile does not set "hostQuery": true';
const NOT_LIVE = 'the workstation stopped before responding, and the analyzer has stopped waiting';

/**
 * Responds to analyzers' host queries from the replica: an ASTM Q record or an HL7 QBP^Q11 gets
 * the pending orders of the specimens it names, written in the analyzer's test codes. Only
 * profiles with `hostQuery: true` get a response.
 */
export class HostQueryResponder {
  readonly #options: HostQueryResponderOptions;
  readonly #log: Logger;

  constructor(options: HostQueryResponderOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  /** Builds the response to the Q records of one ASTM transfer; undefined when it has none. */
  async respondToAstm(messages: readonly AstmMessage[], context: QueryContext): Promise<HostQueryOutcome | undefined> {
    const first = messages.find((message) => message.recordsOfType('Q').length > 0);
    if (!first) return undefined;

    const profile = context.profile;
    if (!profile?.hostQuery) {
      this.#log.warn({ message: context.messageId, profile: profile?.id }, 'the analyzer sent a host query, but its profile does not set "hostQuery": true; no response was sent');
      return { reply: undefined, detail: { responded: false, reason: NOT_ENABLED, specimens: 0, orders: 0, unknownSpecimens: 0, notOnAnalyzer: [] } };
    }
    const query = readAstmHostQuery(messages, profile);
    if (!query) return undefined;

    const detail: HostQueryDetail = { responded: false, specimens: query.specimens.length, orders: 0, unknownSpecimens: 0, notOnAnalyzer: [] };
    if (query.specimens.length === 0 && query.cancellations > 0 && query.withoutSpecimen === 0) {
      this.#log.info({ message: context.messageId, cancellations: query.cancellations }, 'the analyzer cancelled its last host query (Q.13 = A); no response is sent');
      return { reply: undefined, detail: { ...detail, reason: 'the analyzer cancelled its last query (Q.13 = A)' } };
    }
    if (!context.live) return { reply: undefined, detail: { ...detail, reason: NOT_LIVE } };
    if (query.withoutSpecimen > 0) {
      this.#log.warn({ message: context.messageId, records: query.withoutSpecimen }, 'a host query named no specimen (Q.3 empty or ALL); those Q records get no orders');
    }

    const queried: AstmQueriedOrders[] = [];
    for (const specimen of query.specimens) {
      queried.push({ queried: specimen, orders: await findSpecimenOrders(this.#options.replica, specimen.specimenId, profile, specimen.requestedTests) });
    }

    const text = buildAstmQueryResponse(first, queried, { profile, timeZone: this.#options.timeZone, now: this.#options.now() });
    const found = queried.flatMap((entry) => (entry.orders ? [entry.orders] : []));
    return this.#responded({ protocol: 'astm', bytes: encodeAstmResponse(text, profile) }, text, query.specimens.length, found, context);
  }

  /** Builds the response to a QBP message; undefined for any other message type. */
  async respondToHl7(message: Hl7Message, context: QueryContext): Promise<HostQueryOutcome | undefined> {
    const query = readHl7HostQuery(message);
    if (!query) return undefined;

    const profile = context.profile;
    const specimens = query.kind === 'specimens' ? query.specimenIds.length : 0;
    const detail: HostQueryDetail = { responded: false, specimens, orders: 0, unknownSpecimens: 0, notOnAnalyzer: [] };
    if (!context.live) return { reply: undefined, detail: { ...detail, reason: NOT_LIVE } };

    if (!profile?.hostQuery) {
      this.#log.warn({ message: context.messageId, profile: profile?.id }, 'the analyzer sent a host query, but its profile does not set "hostQuery": true; rejected it with AR');
      const rejection = {
        ackCode: 'AR' as const,
        error: { condition: 200 as const, message: 'This workstation does not take host queries from this analyzer; ask lab IT to set "hostQuery": true in its profile' },
      };
      return this.#rejected(buildHl7QueryRejection(message, rejection, this.#options.now()), detail, NOT_ENABLED);
    }
    if (query.kind === 'rejected') {
      this.#log.warn({ message: context.messageId, condition: query.error.condition }, 'a host query was rejected; the reason is in ERR');
      return this.#rejected(buildHl7QueryRejection(message, query, this.#options.now()), detail, query.error.message ?? 'the query was rejected');
    }

    const found: SpecimenOrders[] = [];
    for (const specimenId of query.specimenIds) {
      const orders = await findSpecimenOrders(this.#options.replica, specimenId, profile);
      if (orders) found.push(orders);
    }
    const response = buildHl7OrdersResponse(message, found, { profile, timeZone: this.#options.timeZone, now: this.#options.now() });
    return this.#responded({ protocol: 'hl7', message: response }, response.toString(), specimens, found, context);
  }

  #responded(reply: LabReply, text: string, specimens: number, found: readonly SpecimenOrders[], context: QueryContext): HostQueryOutcome {
    const orders = found.reduce((count, specimen) => count + specimen.tests.length, 0);
    const notOnAnalyzer = found.flatMap((specimen) => specimen.notOnAnalyzer);
    const unknownSpecimens = specimens - found.length;

    if (notOnAnalyzer.length > 0) {
      this.#log.warn(
        { message: context.messageId, profile: context.profile?.id, serviceRequests: notOnAnalyzer },
        'pending orders with no test code on this analyzer were left out of the host query response; map their LOINC codes in the profile\'s "tests" if the analyzer runs them',
      );
    }
    this.#log.info({ message: context.messageId, specimens, orders, unknownSpecimens }, 'host query response built');
    return { reply, detail: { responded: true, specimens, orders, unknownSpecimens, notOnAnalyzer, response: text } };
  }

  #rejected(message: Hl7Message, detail: HostQueryDetail, reason: string): HostQueryOutcome {
    return { reply: { protocol: 'hl7', message }, detail: { ...detail, responded: true, reason, response: message.toString() } };
  }
}
