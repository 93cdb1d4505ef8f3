import type { Hl7Message, Observation, ObservationValue, OrderGroup, Specimen } from '../hl7/index.js';
import { readLabMessage } from '../hl7/index.js';
import type { MappingContext } from './context.js';
import { checkContext } from './context.js';
import { diagnosticReportId, hashMessage } from './ids.js';
import type { SentResult } from './result-draft.js';
import { draftResult } from './result-draft.js';
import { readInstant, readTimestamp } from './timestamp.js';
import type { AccessionSource, LabResultGroup, LabResultMapping, ResultValue } from './types.js';

/** Message types whose OBX segments are results; other types (orders, queries, ADT) carry none to store. */
const RESULT_MESSAGE_CODES = new Set(['ORU', 'OUL']);
const TEXT_VALUE_TYPES = new Set(['ST', 'TX', 'FT']);
const NUMERIC_VALUE_TYPES = new Set(['NM', 'SN']);

/** An order group, or the observations outside any group, with the specimen each observation belongs to. */
interface ResultBlock {
  readonly group: OrderGroup | undefined;
  readonly observations: readonly { readonly observation: Observation; readonly specimen: Specimen | undefined }[];
}

interface Accession {
  readonly accession: string;
  readonly source: AccessionSource;
}

/**
 * Maps one HL7 ORU or OUL message to result drafts: one group per order group (ORC/OBR), one
 * draft per OBX. OBX segments that follow an SPM belong to that specimen.
 *
 * Accession policy: the specimen's filler-assigned id (SPM-2.2), else its placer-assigned id
 * (SPM-2.1), else the filler order number (OBR-3), else the placer order number (OBR-2). The
 * filler's numbers come first because the accession is the number the laboratory (the filler)
 * gave the specimen. Analyzers that send no SPM put the sample id in OBR-3.
 */
export function mapHl7Message(message: Hl7Message, context: MappingContext): LabResultMapping {
  checkContext(context, 'hl7-mllp');
  const messageHash = hashMessage(context.raw);
  const part = context.part ?? 0;
  const type = message.messageType;
  const common = {
    protocol: 'hl7' as const,
    messageHash,
    messageControlId: message.controlId,
    processingId: message.header.value(11, 1, 1).trim(),
    ...(context.profile ? { profileId: context.profile.id } : {}),
  };

  if (!RESULT_MESSAGE_CODES.has(type.code)) {
    return { ...common, groups: [], notices: [`${type.code}^${type.trigger} is not a result message (ORU or OUL); its OBX segments, if any, are not stored`] };
  }

  const obxSegments = message.segmentsWithId('OBX');
  const reportedAt = message.header.value(7, 1, 1);
  const groups = collectResultBlocks(message).map((block, index): LabResultGroup => {
    const request = block.group?.request;
    const order = block.group?.order;
    const groupAccession = accessionOf(block.group?.specimens[0], block.group);
    const effective = request && request.observedAt !== '' ? readTimestamp(request.observedAt, context.timeZone) : undefined;
    const issued = readInstant(request?.resultsReportedAt || reportedAt, context.timeZone);
    const placer = request?.placerOrderNumber || order?.placerOrderNumber || '';
    const filler = request?.fillerOrderNumber || order?.fillerOrderNumber || '';

    const results = block.observations.map(({ observation, specimen }) => {
      const position = obxSegments.indexOf(observation.segment) + 1;
      const accession = specimen ? accessionOf(specimen, block.group) : groupAccession;
      return draftResult(readResult(observation, position, accession, block.group, message), 'hl7', context, messageHash);
    });

    return {
      id: diagnosticReportId(messageHash, part, index + 1),
      index: index + 1,
      ...(groupAccession ? { accession: groupAccession.accession, accessionSource: groupAccession.source } : {}),
      ...(placer === '' ? {} : { placerOrderNumber: placer }),
      ...(filler === '' ? {} : { fillerOrderNumber: filler }),
      orderedTests: request && request.service.code !== '' ? [{ code: request.service.code, display: request.service.text, system: request.service.system }] : [],
      ...(effective?.ok ? { effectiveDateTime: effective.dateTime } : {}),
      ...(issued === undefined ? {} : { issued }),
      notes: (block.group?.notes ?? []).flatMap((note) => note.comments),
      results,
    };
  });

  return { ...common, groups, notices: groups.length === 0 ? [`${type.code}^${type.trigger} message ${message.controlId || '(no MSH-10)'} carries no OBX segments`] : [] };
}

/**
 * Splits the message's observations by order group. A specimen that precedes several OBR groups
 * (OUL^R22) is listed under each of them, so each observation is taken once, by the first group.
 */
function collectResultBlocks(message: Hl7Message): ResultBlock[] {
  const lab = readLabMessage(message);
  const taken = new Set<Observation>();
  const take = (observation: Observation, specimen: Specimen | undefined): { observation: Observation; specimen: Specimen | undefined }[] => {
    if (taken.has(observation)) return [];
    taken.add(observation);
    return [{ observation, specimen }];
  };

  const blocks: ResultBlock[] = lab.orders.map((group) => ({
    group,
    observations: [
      ...group.specimens.flatMap((specimen) => specimen.observations.flatMap((observation) => take(observation, specimen))),
      ...group.observations.flatMap((observation) => take(observation, undefined)),
    ].sort((a, b) => a.observation.segment.position - b.observation.segment.position),
  }));

  const loose = [
    ...lab.specimens.flatMap((specimen) => specimen.observations.flatMap((observation) => take(observation, specimen))),
    ...lab.observations.flatMap((observation) => take(observation, undefined)),
  ].sort((a, b) => a.observation.segment.position - b.observation.segment.position);
  if (loose.length > 0) blocks.push({ group: undefined, observations: loose });

  // Groups come in message order, so OBX segments before the first ORC or OBR come first.
  const firstPosition = (block: ResultBlock): number => block.observations[0]?.observation.segment.position ?? 0;
  return blocks.filter((block) => block.observations.length > 0).sort((a, b) => firstPosition(a) - firstPosition(b));
}

function accessionOf(specimen: Specimen | undefined, group: OrderGroup | undefined): Accession | undefined {
  const candidates: [string | undefined, AccessionSource][] = [
    [specimen?.fillerSpecimenId, 'SPM-2.2'],
    [specimen?.placerSpecimenId, 'SPM-2.1'],
    [group?.request?.fillerOrderNumber, 'OBR-3'],
    [group?.request?.placerOrderNumber, 'OBR-2'],
  ];
  for (const [value, source] of candidates) {
    const accession = value?.trim();
    if (accession) return { accession, source };
  }
  return undefined;
}

function readResult(observation: Observation, position: number, accession: Accession | undefined, group: OrderGroup | undefined, message: Hl7Message): SentResult {
  const segment = observation.segment;
  const value = readValue(observation);
  const separator = message.delimiters.repetition ?? '~';

  return {
    position,
    location: `OBX[${position}]`,
    ...(accession ? { accession: accession.accession } : {}),
    testComponents: Array.from({ length: 9 }, (_, index) => segment.value(3, 1, index + 1, 1)),
    testDisplay: observation.code.text,
    value: value.value,
    sentValue: segment.values(5).join(separator),
    ...(value.problem === undefined ? {} : { valueProblem: value.problem }),
    unit: (observation.units.code || observation.units.text).trim(),
    referenceRange: observation.referenceRange.text,
    flags: observation.abnormalFlags,
    status: observation.resultStatus.trim(),
    times: [
      { field: 'OBX-14', text: observation.observedAt },
      { field: 'OBR-7', text: group?.request?.observedAt ?? '' },
    ],
    notes: observation.notes.flatMap((note) => note.comments),
    warnings: observation.warnings,
  };
}

/** OBX-5 as read by the value type in OBX-2. Text types keep every repetition, one per line. */
function readValue(observation: Observation): { value: ResultValue; problem?: string } {
  const values = observation.values;
  const first = values[0];
  if (first === undefined) return { value: { kind: 'empty' } };

  if (TEXT_VALUE_TYPES.has(observation.valueType) || values.length > 1) {
    const text = values.map(textOf).join('\n');
    if (values.length > 1 && !TEXT_VALUE_TYPES.has(observation.valueType)) {
      return { value: { kind: 'text', text }, problem: `OBX-5 has ${values.length} repetitions of type ${observation.valueType || '(none)'} where one value was expected` };
    }
    return { value: { kind: 'text', text } };
  }

  const value = convertValue(first);
  if (value.kind === 'text' && NUMERIC_VALUE_TYPES.has(observation.valueType)) {
    return { value, problem: `OBX-5 is not a valid ${observation.valueType} value` };
  }
  return { value };
}

function convertValue(value: ObservationValue): ResultValue {
  switch (value.kind) {
    case 'number': {
      if (value.comparator === '<>' || value.suffix === '+') return { kind: 'text', text: textOf(value) };
      const comparator = value.comparator === '=' ? undefined : value.comparator;
      return comparator === undefined ? { kind: 'quantity', value: value.value } : { kind: 'quantity', value: value.value, comparator };
    }
    case 'ratio': {
      if (value.comparator === '<>') return { kind: 'text', text: textOf(value) };
      const comparator = value.comparator === '=' ? undefined : value.comparator;
      return { kind: 'ratio', numerator: value.numerator, denominator: value.denominator, ...(comparator === undefined ? {} : { comparator }) };
    }
    case 'range':
      return value.comparator === undefined ? { kind: 'range', low: value.low, high: value.high } : { kind: 'text', text: textOf(value) };
    case 'coded':
      return { kind: 'coded', code: value.coded.code, display: value.coded.text || value.coded.originalText, system: value.coded.system };
    case 'text':
    case 'other':
      return { kind: 'text', text: value.text };
  }
}

/** Writes a value as lab staff would read it, for values kept as text. */
function textOf(value: ObservationValue): string {
  switch (value.kind) {
    case 'number':
      return `${value.comparator ?? ''}${value.value}${value.suffix ?? ''}`;
    case 'ratio':
      return `${value.comparator ?? ''}${value.numerator}${value.separator}${value.denominator}`;
    case 'range':
      return `${value.comparator ?? ''}${value.low}-${value.high}`;
    case 'coded':
      return value.coded.text || value.coded.code;
    case 'text':
    case 'other':
      return value.text;
  }
}
