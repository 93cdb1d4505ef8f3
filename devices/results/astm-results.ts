import type { AstmMessage, AstmRecord } from '../astm/index.js';
import { testCodeKey } from '../profiles/index.js';
import type { MappingContext } from './context.js';
import { checkContext } from './context.js';
import { diagnosticReportId, hashMessage } from './ids.js';
import type { SentResult } from './result-draft.js';
import { draftResult } from './result-draft.js';
import { readInstant, readTimestamp } from './timestamp.js';
import type { LabResultGroup, LabResultMapping, QuantityComparator, ResultValue } from './types.js';

const ASTM_NUMBER = /^(<=|>=|<|>)?\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/;

/** An O record and the R and C records that follow it, before the profile is applied. */
interface OrderBlock {
  order: AstmRecord | undefined;
  results: SentResultBuilder[];
  notes: string[];
}

interface SentResultBuilder {
  record: AstmRecord;
  position: number;
  notes: string[];
}

/**
 * Maps one LIS2-A2 message to result drafts: one group per O record (or one for R records that
 * come before any O), one draft per R record. The accession is the first component of O.3 (the
 * specimen ID), or the field and component the profile's `protocol.accession` names. Comments
 * (C records) go to the R record they follow, or to the order.
 */
export function mapAstmMessage(message: AstmMessage, context: MappingContext): LabResultMapping {
  checkContext(context, 'astm-e1381');
  const messageHash = hashMessage(context.raw);
  const part = context.part ?? 0;
  const blocks = collectOrderBlocks(message);
  const reportedAt = message.header.value(14);

  const groups = blocks
    .filter((block) => block.results.length > 0)
    .map((block, index): LabResultGroup => {
      const order = block.order;
      const setting = context.profile?.protocol.name === 'astm-e1381' ? context.profile.protocol.accession : undefined;
      const accessionField = context.astmAccessionField ?? setting?.field ?? 'O.3';
      const accession = order?.field(accessionField === 'O.3' ? 3 : 4).component(setting?.component ?? 1).trim() || undefined;
      const instrumentSpecimenId = order ? joinComponents(order.field(4).components) : '';
      const orderTime = order?.value(7) ?? '';
      const effective = orderTime === '' ? undefined : readTimestamp(orderTime, context.timeZone);
      const issued = readInstant(order?.value(23) || reportedAt, context.timeZone);
      const sent = block.results.map((result) => readResult(result, accession, orderTime, message));

      return {
        id: diagnosticReportId(messageHash, part, index + 1),
        index: index + 1,
        ...(accession === undefined ? {} : { accession, accessionSource: accessionField }),
        ...(instrumentSpecimenId === '' ? {} : { instrumentSpecimenId }),
        orderedTests: orderedTestsOf(order, context),
        ...(effective?.ok ? { effectiveDateTime: effective.dateTime } : {}),
        ...(issued === undefined ? {} : { issued }),
        notes: block.notes,
        results: sent.map((result) => draftResult(result, 'astm', context, messageHash)),
      };
    });

  const processingId = message.header.value(12).trim();
  const notices = [
    ...(groups.length === 0 ? [`The message carries no results (R records); its records are ${message.records.map((record) => record.type).join(', ')}`] : []),
    ...(processingId === 'Q' ? ['H.12 (processing ID) is Q: these are quality-control results, not patient results'] : []),
  ];
  return {
    protocol: 'astm',
    messageHash,
    messageControlId: message.header.value(3),
    processingId,
    ...(context.profile ? { profileId: context.profile.id } : {}),
    groups,
    notices,
  };
}

function collectOrderBlocks(message: AstmMessage): OrderBlock[] {
  const blocks: OrderBlock[] = [];
  let block: OrderBlock | undefined;
  let lastResult: SentResultBuilder | undefined;
  let position = 0;

  for (const record of message.records) {
    switch (record.type) {
      case 'P':
        block = undefined;
        lastResult = undefined;
        break;
      case 'O':
        block = { order: record, results: [], notes: [] };
        blocks.push(block);
        lastResult = undefined;
        break;
      case 'R':
        if (!block) {
          block = { order: undefined, results: [], notes: [] };
          blocks.push(block);
        }
        position += 1;
        lastResult = { record, position, notes: [] };
        block.results.push(lastResult);
        break;
      case 'C': {
        const text = commentText(record);
        if (text !== '') (lastResult?.notes ?? block?.notes)?.push(text);
        break;
      }
    }
  }
  return blocks;
}

function readResult(result: SentResultBuilder, accession: string | undefined, orderTime: string, message: AstmMessage): SentResult {
  const record = result.record;
  const value = readValue(record);
  const location = `R[${result.position}]`;

  return {
    position: result.position,
    location,
    ...(accession === undefined ? {} : { accession }),
    testComponents: record.field(3).components,
    testDisplay: record.field(3).component(2).trim(),
    value: value.value,
    sentValue: encodeField(record, 4, message),
    ...(value.problem === undefined ? {} : { valueProblem: value.problem }),
    unit: record.field(5).component(1).trim(),
    referenceRange: firstNonEmpty(record.field(6).components),
    flags: record.field(7).repeats.flatMap((components) => components.map((component) => component.trim()).filter((component) => component !== '')),
    status: record.value(9).trim(),
    times: [
      { field: 'R.13', text: record.value(13) },
      { field: 'O.7', text: orderTime },
    ],
    notes: result.notes,
    warnings: [],
  };
}

/** R.4: the first non-empty component, because some analyzers put the value in a later one (GeneXpert "^24.7"). */
function readValue(record: AstmRecord): { value: ResultValue; problem?: string } {
  const filled = record.field(4).repeats.filter((components) => components.some((component) => component.trim() !== ''));
  const text = firstNonEmpty(filled[0] ?? []);
  const value = parseAstmValue(text);
  if (filled.length > 1) return { value, problem: `R.4 has ${filled.length} repetitions where one value was expected` };
  return { value };
}

/** Reads an ASTM value: a number with an optional comparator ("<0.5", "> 100"), else text. */
export function parseAstmValue(text: string): ResultValue {
  if (text === '') return { kind: 'empty' };
  const match = ASTM_NUMBER.exec(text);
  if (!match) return { kind: 'text', text };

  const value = Number(match[2]);
  const comparator = match[1] as QuantityComparator | undefined;
  return comparator === undefined ? { kind: 'quantity', value } : { kind: 'quantity', value, comparator };
}

function orderedTestsOf(order: AstmRecord | undefined, context: MappingContext): LabResultGroup['orderedTests'] {
  if (!order) return [];
  const positions = context.profile?.protocol.testCodeComponents ?? [4];
  return order
    .field(5)
    .repeats.map((components) => ({ code: testCodeKey(components, positions), display: (components[1] ?? '').trim(), system: '' }))
    .filter((test) => test.code !== '');
}

/** C.4, the comment text: components joined by spaces, repetitions by line breaks. */
function commentText(record: AstmRecord): string {
  return record
    .field(4)
    .repeats.map((components) => components.map((component) => component.trim()).filter((component) => component !== '').join(' '))
    .filter((line) => line !== '')
    .join('\n');
}

/** Rebuilds a field with the message's delimiters, escapes decoded, as lab staff read it on the analyzer. */
function encodeField(record: AstmRecord, position: number, message: AstmMessage): string {
  const { repeat, component } = message.delimiters;
  return record
    .field(position)
    .repeats.map((components) => components.join(component))
    .join(repeat);
}

/** Joins the non-empty components, trimmed, with "^", such as "T20 10134GA D28^6". */
function joinComponents(components: readonly string[]): string {
  return components
    .map((component) => component.trim())
    .filter((component) => component !== '')
    .join('^');
}

function firstNonEmpty(components: readonly string[]): string {
  return components.map((component) => component.trim()).find((component) => component !== '') ?? '';
}
