import type { Hl7Message } from '../message.js';
import type { Hl7Segment } from '../segment.js';
import { readAcknowledgment } from './acknowledgment.js';
import type { Acknowledgment } from './acknowledgment.js';
import { readCoded } from './coded.js';
import type { CodedElement } from './coded.js';
import { readHeader } from './header.js';
import type { MessageHeader } from './header.js';

/** A query by parameter (QBP), such as an analyzer asking for the orders of a specimen. */
export interface QueryRequest {
  header: MessageHeader;
  /** QPD-1, the query's name, e.g. WOS^Work Order Step^IHE_LABTF. */
  queryName: CodedElement;
  /** QPD-2, which the response repeats in QAK-1. */
  queryTag: string;
  /**
   * QPD-3 onwards by position (QPD-3 first), as `Hl7Segment.value()` reads them. What each one
   * means depends on the query (for IHE LAW's WOS query, QPD-3 is the container or specimen ID).
   */
  parameters: string[];
  /** RCP-1: I immediate, D deferred; '' without RCP. */
  priority: string;
  /** RCP-2.1, the most hits the sender accepts; '' without RCP. */
  quantityLimit: string;
  qpd: Hl7Segment;
}

/** A response to a query (RSP). */
export interface QueryResponse {
  header: MessageHeader;
  acknowledgment: Acknowledgment | undefined;
  /** QAK-1 */
  queryTag: string;
  /** QAK-2: OK data found, NF no data found, AE application error, AR application reject. */
  status: string;
  /** QAK-3 */
  queryName: CodedElement | undefined;
  /** QAK-4 */
  hitCount: string;
  /** Segments after QPD (or after QAK when QPD is absent), which carry the response's data. */
  segments: Hl7Segment[];
}

/** Reads a QBP message; undefined when it has no QPD segment. */
export function readQuery(message: Hl7Message): QueryRequest | undefined {
  const qpd = message.segment('QPD');
  if (qpd === undefined) return undefined;
  const rcp = message.segment('RCP');
  const parameters: string[] = [];
  for (let field = 3; field <= qpd.fieldCount; field++) parameters.push(qpd.value(field));
  return {
    header: readHeader(message),
    queryName: readCoded(qpd, 1),
    queryTag: qpd.value(2),
    parameters,
    priority: rcp?.value(1) ?? '',
    quantityLimit: rcp?.value(2, 1, 1) ?? '',
    qpd,
  };
}

/** Reads an RSP message. */
export function readQueryResponse(message: Hl7Message): QueryResponse {
  const qak = message.segment('QAK');
  const anchor = message.segment('QPD') ?? qak;
  const segments = anchor === undefined ? [] : message.segments.slice(anchor.position);
  return {
    header: readHeader(message),
    acknowledgment: readAcknowledgment(message),
    queryTag: qak?.value(1) ?? '',
    status: qak?.value(2) ?? '',
    queryName: qak === undefined ? undefined : readCoded(qak, 3),
    hitCount: qak?.value(4) ?? '',
    segments,
  };
}
