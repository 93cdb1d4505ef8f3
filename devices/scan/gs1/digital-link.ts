import type { ScanError } from '../errors.js';
import { scanError } from '../errors.js';
import type { AiDefinition } from './application-identifiers.js';
import { getAiDefinition } from './application-identifiers.js';
import type { Gs1Element } from './element.js';
import type { Gs1Reading } from './element-string.js';
import type { ElementToken, ReadContext } from './read-element.js';
import { readElement } from './read-element.js';

/**
 * GS1 Digital Link URIs (`https://id.gs1.org/01/09520123456788/10/ABC1?17=260131`): the primary
 * key and its qualifiers are path segments at the end of the path, other AIs are query parameters.
 * Anything before the key is the resolver's own path and is ignored, as are query parameters whose
 * names are not digits (such as `linkType`).
 */

/** Primary keys a Digital Link path may carry, each with the qualifiers allowed after it, in order. */
const PRIMARY_KEYS: Readonly<Record<string, readonly string[]>> = {
  '00': [],
  '01': ['22', '10', '21', '235'],
  '253': [],
  '255': [],
  '401': [],
  '402': [],
  '414': ['254'],
  '415': ['8020'],
  '417': [],
  '8003': [],
  '8004': [],
  '8006': ['22', '10', '21'],
  '8017': [],
  '8018': [],
};

const QUALIFIERS = new Set(Object.values(PRIMARY_KEYS).flat());

/** Only all-lower-case or all-upper-case schemes: a mixed-case scheme makes the URI no Digital Link. */
const SCHEME = /^(?:https?|HTTPS?):\/\//;

export function looksLikeDigitalLink(data: string): boolean {
  return SCHEME.test(data);
}

interface Segment {
  readonly text: string;
  readonly position: number;
}

export type DigitalLinkReading = { readonly kind: 'no-primary-key' } | ({ readonly kind: 'read' } & Gs1Reading);

/** Reads a Digital Link URI; `no-primary-key` when its path ends in no GS1 key, so it is an ordinary URL. */
export function readDigitalLink(data: string, offset: number, context: ReadContext): DigitalLinkReading {
  const { pathSegments, queryParameters } = splitUri(data, offset);
  const pathPairs = findKeyPairs(pathSegments);
  if (!pathPairs) return { kind: 'no-primary-key' };

  const elements: Gs1Element[] = [];
  for (const [aiSegment, valueSegment] of pathPairs) {
    const reading = readPair(aiSegment, valueSegment, context);
    if (!reading.ok) return { kind: 'read', elements, error: reading.error };
    elements.push(reading.element);
  }

  for (const [name, value] of queryParameters) {
    if (!/^\d+$/.test(name.text)) continue;
    const reading = readPair(name, value, context);
    if (!reading.ok) return { kind: 'read', elements, error: reading.error };
    elements.push(reading.element);
  }
  return { kind: 'read', elements, error: null };
}

function splitUri(data: string, offset: number): { pathSegments: Segment[]; queryParameters: Array<[Segment, Segment]> } {
  const afterScheme = data.indexOf('://') + 3;
  const fragmentStart = indexOrEnd(data, '#', afterScheme);
  const queryStart = Math.min(indexOrEnd(data, '?', afterScheme), fragmentStart);
  const pathStart = Math.min(indexOrEnd(data, '/', afterScheme), queryStart);

  const pathSegments = splitWithPositions(data.slice(pathStart, queryStart), '/', offset + pathStart).filter((segment) => segment.text !== '');
  const queryParameters = splitWithPositions(data.slice(queryStart + 1, fragmentStart), '&', offset + queryStart + 1)
    .filter((parameter) => parameter.text !== '')
    .map((parameter): [Segment, Segment] => {
      const equals = parameter.text.indexOf('=');
      if (equals < 0) return [parameter, { text: '', position: parameter.position + parameter.text.length }];
      return [{ text: parameter.text.slice(0, equals), position: parameter.position }, { text: parameter.text.slice(equals + 1), position: parameter.position + equals + 1 }];
    });
  return { pathSegments, queryParameters };
}

function indexOrEnd(text: string, character: string, from: number): number {
  const index = text.indexOf(character, from);
  return index < 0 ? text.length : index;
}

function splitWithPositions(text: string, separator: string, position: number): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (const piece of text.split(separator)) {
    segments.push({ text: piece, position: position + start });
    start += piece.length + separator.length;
  }
  return segments;
}

/** Walks back from the end of the path in AI/value pairs until it reaches a primary key. */
function findKeyPairs(segments: readonly Segment[]): Array<[Segment, Segment]> | undefined {
  const pairs: Array<[Segment, Segment]> = [];
  for (let index = segments.length - 2; index >= 0; index -= 2) {
    const ai = (segments[index] as Segment).text;
    pairs.unshift([segments[index] as Segment, segments[index + 1] as Segment]);

    if (Object.hasOwn(PRIMARY_KEYS, ai)) {
      const allowed = PRIMARY_KEYS[ai] as readonly string[];
      return pairs.slice(1).every(([qualifier]) => allowed.includes(qualifier.text)) ? pairs : undefined;
    }
    if (!QUALIFIERS.has(ai)) return undefined;
  }
  return undefined;
}

function readPair(name: Segment, value: Segment, context: ReadContext): { ok: true; element: Gs1Element } | { ok: false; error: ScanError } {
  const definition = getAiDefinition(name.text);
  if (!definition) {
    const message = `The Digital Link contains unknown GS1 application identifier ${name.text}: check the URI`;
    return { ok: false, error: scanError('unknown-ai', name.position, message, { found: name.text }) };
  }

  let decoded: string;
  try {
    decoded = decodeURIComponent(value.text);
  } catch {
    const message = `The Digital Link value of AI (${name.text}) has invalid percent-encoding (${JSON.stringify(value.text)}): check the URI`;
    return { ok: false, error: scanError('invalid-digital-link', value.position, message, { ai: name.text, value: value.text }) };
  }

  const token: ElementToken = { definition, value: padShortGtin(definition, decoded), position: name.position, valuePosition: value.position };
  return readElement(token, context);
}

/** Digital Link allows a GTIN-8, -12 or -13 in its short form; element strings always carry 14 digits. */
function padShortGtin(definition: AiDefinition, value: string): string {
  const isShortGtin = definition.ai === '01' && /^\d+$/.test(value) && [8, 12, 13].includes(value.length);
  return isShortGtin ? value.padStart(14, '0') : value;
}

/**
 * Formats elements as a Digital Link URI on `base` (default: GS1's resolver). Returns undefined
 * when no element is a primary key a Digital Link path can carry.
 */
export function formatDigitalLink(elements: readonly Pick<Gs1Element, 'ai' | 'raw'>[], base = 'https://id.gs1.org'): string | undefined {
  const key = elements.find((element) => Object.hasOwn(PRIMARY_KEYS, element.ai));
  if (!key) return undefined;

  const qualifierOrder = PRIMARY_KEYS[key.ai] as readonly string[];
  const qualifiers = qualifierOrder.flatMap((ai) => elements.filter((element) => element.ai === ai).slice(0, 1));
  const others = elements.filter((element) => element !== key && !qualifiers.includes(element));

  const path = [key, ...qualifiers].map((element) => `/${element.ai}/${encodeURIComponent(element.raw)}`).join('');
  const query = others.map((element) => `${element.ai}=${encodeURIComponent(element.raw)}`).join('&');
  return `${base.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`;
}
