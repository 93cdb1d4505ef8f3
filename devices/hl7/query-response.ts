import { errorSegment, responseHeader } from './ack.js';
import type { AckError, ResponseHeaderOptions } from './ack.js';
import { buildMessage, encoded } from './builder.js';
import type { FieldValue, SegmentInput } from './builder.js';
import type { Hl7Message } from './message.js';

export interface QueryResponseOptions extends ResponseHeaderOptions {
  /** QAK-2: OK data found, NF no data found, AE application error, AR application reject. */
  status: 'OK' | 'NF' | 'AE' | 'AR';
  /** MSA-1; AA unless the query itself was wrong. */
  ackCode?: 'AA' | 'AE' | 'AR';
  errors?: readonly AckError[];
  /** QAK-4, the number of hits; left empty when absent. */
  hitCount?: number;
  /** MSH-9; by default RSP with the query's trigger Qnn turned into Knn, e.g. RSP^K11^RSP_K11. */
  messageType?: FieldValue;
  /** The answer, placed after the echoed QPD. */
  segments?: readonly SegmentInput[];
}

/**
 * Builds the response to a query (QBP): MSH, MSA, ERR for each error, QAK with the query tag and
 * status, the query's QPD echoed unchanged, then the answer's segments.
 */
export function buildQueryResponse(query: Hl7Message, options: QueryResponseOptions): Hl7Message {
  const qpd = query.segment('QPD');
  const trigger = query.messageType.trigger;
  const responseTrigger = /^Q\d+$/.test(trigger) ? `K${trigger.slice(1)}` : trigger;
  const messageType = options.messageType ?? ['RSP', responseTrigger, `RSP_${responseTrigger}`];
  const version = query.version || options.fallbackVersion || '2.5.1';

  const qak: Record<number, FieldValue> = { 1: encoded(qpd?.field(2) ?? ''), 2: options.status, 3: encoded(qpd?.field(1) ?? '') };
  if (options.hitCount !== undefined) qak[4] = String(options.hitCount);
  const echoedQpd: Record<number, FieldValue> = {};
  if (qpd !== undefined) {
    for (let field = 1; field <= qpd.fieldCount; field++) echoedQpd[field] = encoded(qpd.field(field));
  }

  const segments: SegmentInput[] = [
    responseHeader(query, messageType, version, options),
    { id: 'MSA', fields: { 1: options.ackCode ?? 'AA', 2: encoded(query.header.field(10)) } },
    ...(options.errors ?? []).map((error) => errorSegment(error, version, query.delimiters.subcomponent !== undefined)),
    { id: 'QAK', fields: qak },
    ...(qpd === undefined ? [] : [{ id: 'QPD', fields: echoedQpd }]),
    ...(options.segments ?? []),
  ];
  return buildMessage(segments, { delimiters: query.delimiters, encoding: query.encoding });
}
