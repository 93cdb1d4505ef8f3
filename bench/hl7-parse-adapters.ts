// One adapter per HL7 parser that bench/hl7-parse.ts compares: each parses a message and reads
// fields through the library's own public API, so that the benchmark and the lab-case probes ask
// every library the same questions.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { HL7Message } from 'hl7v2';
import { Message as NodeHl7ClientMessage } from 'node-hl7-client';

import { parseMessage } from '../devices/hl7/index.js';
import type { Hl7Message } from '../devices/hl7/index.js';

export interface ParserAdapter {
  name: string;
  version: string;
  /** Parses one message; `bytes` are the wire bytes, `text` the same decoded as UTF-8. */
  parse(bytes: Buffer, text: string): unknown;
  /** The text at SEG[occurrence]-field(.component), or the whole field when `component` is absent. */
  value(parsed: unknown, segmentId: string, occurrence: number, field: number, component?: number): string;
  /** The whole text of one repetition of a field. */
  repetition(parsed: unknown, segmentId: string, field: number, repetition: number): string;
  repetitionCount(parsed: unknown, segmentId: string, field: number): number;
  segmentIds(parsed: unknown): string[];
  serialize(parsed: unknown): string;
}

const require = createRequire(import.meta.url);

/** The installed version, read from the package's own package.json (some packages do not export it). */
function packageVersion(name: string): string {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

const ours: ParserAdapter = {
  name: 'devices/hl7 (this repository)',
  version: '-',
  parse: (bytes) => parseMessage(bytes),
  value(parsed, segmentId, occurrence, field, component) {
    const segment = (parsed as Hl7Message).segment(segmentId, occurrence);
    if (segment === undefined) return '';
    return component === undefined ? segment.value(field) : segment.value(field, 1, component);
  },
  repetition: (parsed, segmentId, field, repetition) => (parsed as Hl7Message).segment(segmentId)?.repetitions(field)[repetition - 1] ?? '',
  repetitionCount: (parsed, segmentId, field) => (parsed as Hl7Message).segment(segmentId)?.repetitions(field).length ?? 0,
  segmentIds: (parsed) => (parsed as Hl7Message).segments.map((segment) => segment.id),
  serialize: (parsed) => (parsed as Hl7Message).toString(),
};

/** The parts of simple-hl7 3.3.0's API used here (it ships no types). */
interface SimpleHl7Segment {
  name: string;
  fields: Array<{ value: unknown[] }>;
  getField(index: number, repeatIndex?: number): string;
  getComponent(field: number, component: number): string;
}
interface SimpleHl7Message {
  header: SimpleHl7Segment;
  segments: SimpleHl7Segment[];
  getSegments(name: string): SimpleHl7Segment[];
  toString(): string;
}
const simpleHl7 = require('simple-hl7') as { Parser: new () => { parse(text: string): SimpleHl7Message } };
const simpleParser = new simpleHl7.Parser();

/** simple-hl7 numbers MSH fields from MSH-3 as its field 1. */
function simpleSegment(message: SimpleHl7Message, segmentId: string, occurrence: number): { segment: SimpleHl7Segment; shift: number } | undefined {
  if (segmentId === 'MSH') return { segment: message.header, shift: 2 };
  const segment = message.getSegments(segmentId)[occurrence - 1];
  return segment === undefined ? undefined : { segment, shift: 0 };
}

const simple: ParserAdapter = {
  name: 'simple-hl7',
  version: packageVersion('simple-hl7'),
  parse: (_bytes, text) => simpleParser.parse(text),
  value(parsed, segmentId, occurrence, field, component) {
    const found = simpleSegment(parsed as SimpleHl7Message, segmentId, occurrence);
    if (found === undefined) return '';
    const index = field - found.shift;
    return component === undefined ? found.segment.getField(index) : found.segment.getComponent(index, component);
  },
  repetition: (parsed, segmentId, field, repetition) => simpleSegment(parsed as SimpleHl7Message, segmentId, 1)?.segment.getField(field, repetition) ?? '',
  repetitionCount: (parsed, segmentId, field) => simpleSegment(parsed as SimpleHl7Message, segmentId, 1)?.segment.fields[field - 1]?.value.length ?? 0,
  segmentIds: (parsed) => ['MSH', ...(parsed as SimpleHl7Message).segments.map((segment) => segment.name)],
  serialize: (parsed) => (parsed as SimpleHl7Message).toString(),
};

/** The parts of hl7-standard 1.0.4's API used here (it ships no types). */
type StandardValue = string | Record<string, string> | Array<Record<string, string>>;
interface StandardSegment {
  type: string;
  data: Record<string, StandardValue>;
  get(path: string): StandardValue | null;
}
interface StandardMessage {
  transform(): void;
  build(): string;
  getSegments(type?: string): StandardSegment[];
}
const HL7Standard = require('hl7-standard') as new (text: string, options?: { lineEndings: string }) => StandardMessage;

function standardText(value: StandardValue | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return standardText(value[0]);
  return Object.values(value).join('^');
}

const standard: ParserAdapter = {
  name: 'hl7-standard',
  version: packageVersion('hl7-standard'),
  parse(_bytes, text) {
    // Its build() ends segments with CR LF unless told otherwise; HL7 wants CR.
    const message = new HL7Standard(text, { lineEndings: '\r' });
    message.transform();
    return message;
  },
  value(parsed, segmentId, occurrence, field, component) {
    const segment = (parsed as StandardMessage).getSegments(segmentId)[occurrence - 1];
    if (segment === undefined) return '';
    const path = component === undefined ? `${segmentId}.${field}` : `${segmentId}.${field}.${component}`;
    return standardText(segment.get(path));
  },
  repetition(parsed, segmentId, field, repetition) {
    const value = (parsed as StandardMessage).getSegments(segmentId)[0]?.data[`${segmentId}.${field}`];
    if (Array.isArray(value)) return standardText(value[repetition - 1]);
    return repetition === 1 ? standardText(value) : '';
  },
  repetitionCount(parsed, segmentId, field) {
    const value = (parsed as StandardMessage).getSegments(segmentId)[0]?.data[`${segmentId}.${field}`];
    if (Array.isArray(value)) return value.length;
    return value === undefined || value === '' ? 0 : 1;
  },
  segmentIds: (parsed) => (parsed as StandardMessage).getSegments().map((segment) => segment.type),
  serialize: (parsed) => (parsed as StandardMessage).build(),
};

function hl7v2Segment(message: HL7Message, segmentId: string, occurrence: number): ReturnType<HL7Message['getSegment']> {
  return message.segments.filter((segment) => segment.segmentType === segmentId)[occurrence - 1];
}

const hl7v2: ParserAdapter = {
  name: 'hl7v2',
  version: packageVersion('hl7v2'),
  parse: (_bytes, text) => HL7Message.parse(text),
  value(parsed, segmentId, occurrence, field, component) {
    const segment = hl7v2Segment(parsed as HL7Message, segmentId, occurrence);
    if (segment === undefined) return '';
    const target = segment.field(field);
    // A field without components reads through getValue(), which decodes escapes; a structured one as HL7 text.
    const whole = component === undefined && (target.repetition(0).components?.length ?? 0) > 1;
    const value: unknown = whole ? target.toHL7String() : target.getValue(component);
    return value === undefined || value === null ? '' : String(value);
  },
  repetition: (parsed, segmentId, field, repetition) => hl7v2Segment(parsed as HL7Message, segmentId, 1)?.field(field).repetitions[repetition - 1]?.toHL7String() ?? '',
  repetitionCount: (parsed, segmentId, field) => hl7v2Segment(parsed as HL7Message, segmentId, 1)?.field(field).repetitions.length ?? 0,
  segmentIds: (parsed) => (parsed as HL7Message).segments.map((segment) => segment.segmentType),
  serialize: (parsed) => (parsed as HL7Message).toHL7String(),
};

/** node-hl7-client's nodes, as far as used here. */
interface ClientNode {
  get(path: string | number): ClientNode;
  forEach(callback: (node: ClientNode, index: number) => void): void;
  exists(path: string | number): boolean;
  length: number;
  name: string;
  toString(): string;
  toRaw(): string;
}

function clientSegment(message: NodeHl7ClientMessage, segmentId: string, occurrence: number): ClientNode | undefined {
  if (!message.exists(segmentId)) return undefined;
  const segments = message.get(segmentId) as unknown as ClientNode;
  let found: ClientNode | undefined;
  segments.forEach((segment, index) => {
    if (index === occurrence - 1) found = segment;
  });
  return found;
}

const nodeHl7Client: ParserAdapter = {
  name: 'node-hl7-client',
  version: packageVersion('node-hl7-client'),
  parse: (_bytes, text) => new NodeHl7ClientMessage({ text }),
  value(parsed, segmentId, occurrence, field, component) {
    const segment = clientSegment(parsed as NodeHl7ClientMessage, segmentId, occurrence);
    if (segment === undefined) return '';
    const path = component === undefined ? `${segmentId}.${field}` : `${segmentId}.${field}.${component}`;
    const node = segment.get(path);
    // A field without components reads through toString(), which decodes escapes; a structured one as raw text.
    if (component !== undefined) return node.toString();
    const raw = node.toRaw();
    return raw.includes('^') || raw.includes('&') ? raw : node.toString();
  },
  repetition(parsed, segmentId, field, repetition) {
    const segment = clientSegment(parsed as NodeHl7ClientMessage, segmentId, 1);
    const raw = segment?.get(`${segmentId}.${field}`).toRaw() ?? '';
    return raw.split('~')[repetition - 1] ?? '';
  },
  repetitionCount(parsed, segmentId, field) {
    const segment = clientSegment(parsed as NodeHl7ClientMessage, segmentId, 1);
    return segment?.get(`${segmentId}.${field}`).length ?? 0;
  },
  segmentIds(parsed) {
    const ids: string[] = [];
    (parsed as unknown as ClientNode).forEach((segment) => ids.push(segment.name));
    return ids;
  },
  serialize: (parsed) => (parsed as NodeHl7ClientMessage).toString(),
};

export const ADAPTERS: readonly ParserAdapter[] = [ours, simple, standard, hl7v2, nodeHl7Client];
