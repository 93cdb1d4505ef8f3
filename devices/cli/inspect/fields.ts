import type { AstmRecord } from '../../astm/index.js';
import { LIS2_A2_FIELDS } from '../../astm/index.js';
import type { Delimiters, Hl7Segment } from '../../hl7/index.js';
import type { FieldReport, RecordReport } from './report.js';

/** Lists the non-empty fields of an ASTM record, numbered as LIS2-A2 numbers them (the record type is field 1). */
export function reportAstmRecord(record: AstmRecord, offset: number): RecordReport {
  const names = (LIS2_A2_FIELDS as Record<string, readonly string[] | undefined>)[record.type] ?? [];
  const fields: FieldReport[] = [];

  record.fields.forEach((field, index) => {
    if (field.isEmpty) return;
    const name = names[index];
    const base = { field: `${record.type}.${index + 1}`, ...(name === undefined ? {} : { name }) };
    const plain = field.repeats.length === 1 && field.components.length === 1;
    fields.push(plain ? { ...base, value: field.value } : { ...base, repetitions: field.repeats });
  });
  return { type: record.type, offset, fields };
}

/**
 * Lists the non-empty fields of an HL7 segment. A field without repetition or component
 * delimiters is given decoded as `value`; any other as `repetitions` of decoded components, where
 * a component with subcomponents stays in its encoded form.
 */
export function reportHl7Segment(segment: Hl7Segment, delimiters: Delimiters): RecordReport {
  const fields: FieldReport[] = [];
  const isHeader = segment.id === 'MSH' || segment.id === 'FHS' || segment.id === 'BHS';

  for (let n = 1; n <= segment.fieldCount; n += 1) {
    const text = segment.field(n);
    if (text === '') continue;
    const field = `${segment.id}-${n}`;
    const repetitions = segment.repetitions(n);
    const plain = (isHeader && n <= 2) || (repetitions.length === 1 && !text.includes(delimiters.component));
    fields.push(plain ? { field, value: segment.value(n) } : { field, repetitions: repetitions.map((repetition, index) => componentsOf(segment, n, index + 1, repetition, delimiters)) });
  }
  return { type: segment.id, offset: segment.byteOffset, fields };
}

function componentsOf(segment: Hl7Segment, field: number, repetition: number, text: string, delimiters: Delimiters): string[] {
  const count = text === '' ? 1 : text.split(delimiters.component).length;
  return Array.from({ length: count }, (_, index) => segment.value(field, repetition, index + 1));
}
