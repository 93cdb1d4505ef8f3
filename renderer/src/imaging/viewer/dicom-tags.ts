import type { DataSet, Element } from 'dicom-parser';

import { DICOM_DICTIONARY } from './dicom-dictionary.js';

/** One row of the tag browser. */
export interface TagRow {
  /** `(gggg,eeee)`, with nesting shown by `depth`. */
  tag: string;
  keyword: string | null;
  vr: string | null;
  value: TagValue;
  depth: number;
}

/** A value as text, or a summary of a binary element or a sequence that the browser words itself. */
export type TagValue = { kind: 'text'; text: string } | { kind: 'bytes'; count: number; encapsulated: boolean } | { kind: 'items'; count: number };

const STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
/** Maximum characters of a value shown; longer strings end with an ellipsis. */
const MAX_VALUE_CHARACTERS = 200;
/** Values of a binary element shown before the rest is summarised. */
const MAX_NUMBERS = 16;
/** Sequence items nested deeper than this are summarised, so a deep structured report stays readable. */
const MAX_DEPTH = 3;

function formatTag(tag: string): string {
  return `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase();
}

function truncate(text: string): string {
  return text.length > MAX_VALUE_CHARACTERS ? `${text.slice(0, MAX_VALUE_CHARACTERS - 1)}…` : text;
}

function numbers(count: number, read: (index: number) => number | undefined): string {
  const shown = Math.min(count, MAX_NUMBERS);
  const values: string[] = [];
  for (let index = 0; index < shown; index += 1) values.push(String(read(index)));
  return count > shown ? `${values.join('\\')}\\… (${count})` : values.join('\\');
}

function valueOf(dataSet: DataSet, element: Element, vr: string | null): TagValue {
  const text = valueText(dataSet, element, vr);
  return text === null ? { kind: 'bytes', count: element.length, encapsulated: element.encapsulatedPixelData === true } : { kind: 'text', text };
}

function valueText(dataSet: DataSet, element: Element, vr: string | null): string | null {
  const tag = element.tag;
  if (tag === 'x7fe00010') return null;
  if (vr !== null && STRING_VRS.has(vr)) return truncate(dataSet.string(tag) ?? '');
  switch (vr) {
    case 'US':
      return numbers(element.length / 2, (index) => dataSet.uint16(tag, index));
    case 'SS':
      return numbers(element.length / 2, (index) => dataSet.int16(tag, index));
    case 'UL':
      return numbers(element.length / 4, (index) => dataSet.uint32(tag, index));
    case 'SL':
      return numbers(element.length / 4, (index) => dataSet.int32(tag, index));
    case 'FL':
      return numbers(element.length / 4, (index) => dataSet.float(tag, index));
    case 'FD':
      return numbers(element.length / 8, (index) => dataSet.double(tag, index));
    case 'AT':
      return formatTag(`x${(dataSet.uint16(tag, 0) ?? 0).toString(16).padStart(4, '0')}${(dataSet.uint16(tag, 1) ?? 0).toString(16).padStart(4, '0')}`);
    default:
      return null;
  }
}

/**
 * Lists the elements of a parsed file in tag order, sequence items indented under their
 * sequence. The VR comes from the file, or from the dictionary for Implicit VR files.
 */
export function listTags(dataSet: DataSet, depth = 0): TagRow[] {
  const rows: TagRow[] = [];
  for (const tag of Object.keys(dataSet.elements).sort()) {
    const element = dataSet.elements[tag];
    if (element === undefined) continue;
    const entry = DICOM_DICTIONARY[tag];
    const vr = element.vr ?? entry?.[1] ?? null;
    const items = element.items ?? [];
    if (vr === 'SQ' || items.length > 0) {
      rows.push({ tag: formatTag(tag), keyword: entry?.[0] ?? null, vr: 'SQ', value: { kind: 'items', count: items.length }, depth });
      if (depth >= MAX_DEPTH) continue;
      for (const item of items) {
        if (item.dataSet !== undefined) rows.push(...listTags(item.dataSet, depth + 1));
      }
      continue;
    }
    rows.push({ tag: formatTag(tag), keyword: entry?.[0] ?? null, vr, value: valueOf(dataSet, element, vr), depth });
  }
  return rows;
}
