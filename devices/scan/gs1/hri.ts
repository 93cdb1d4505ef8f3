import { scanError } from '../errors.js';
import type { AiDefinition } from './application-identifiers.js';
import { getAiDefinition } from './application-identifiers.js';
import type { Gs1Element } from './element.js';
import type { Gs1Reading } from './element-string.js';
import type { ReadContext } from './read-element.js';
import { readElement } from './read-element.js';

interface Boundary {
  readonly definition: AiDefinition;
  /** Index of the opening parenthesis. */
  readonly start: number;
  /** Index of the first value character. */
  readonly valueStart: number;
}

const AI_IN_PARENTHESES = /\((\d{2,4})\)/g;

/** True when `data` starts like human readable interpretation text, such as `(01)0952...`. */
export function looksLikeHri(data: string): boolean {
  return /^\(\d{2,4}\)/.test(data);
}

/**
 * Reads the human readable interpretation printed under a GS1 barcode, as typed or pasted:
 * `(01)09520123456788(17)260131`. Values may contain parentheses (character set 82 allows them),
 * so only a known AI in parentheses starts a new element.
 */
export function readHri(data: string, offset: number, context: ReadContext): Gs1Reading {
  const boundaries = findBoundaries(data);
  const first = boundaries[0];
  if (!first || first.start !== 0) {
    const message = `Unknown GS1 application identifier at the start of ${JSON.stringify(data.slice(0, 12))}: check the AI against the label`;
    return { elements: [], error: scanError('unknown-ai', offset, message, { found: data.slice(0, 6) }) };
  }

  const elements: Gs1Element[] = [];
  for (const [index, boundary] of boundaries.entries()) {
    const valueEnd = boundaries[index + 1]?.start ?? data.length;
    const token = { definition: boundary.definition, value: data.slice(boundary.valueStart, valueEnd), position: offset + boundary.start, valuePosition: offset + boundary.valueStart };
    const reading = readElement(token, context);
    if (!reading.ok) return { elements, error: reading.error };
    elements.push(reading.element);
  }
  return { elements, error: null };
}

function findBoundaries(data: string): Boundary[] {
  const boundaries: Boundary[] = [];
  for (const match of data.matchAll(AI_IN_PARENTHESES)) {
    const definition = getAiDefinition(match[1] as string);
    if (definition) boundaries.push({ definition, start: match.index, valueStart: match.index + match[0].length });
  }
  return boundaries;
}

/** Formats elements as human readable interpretation: `(01)09520123456788(17)260131`. */
export function formatHri(elements: readonly Pick<Gs1Element, 'ai' | 'raw'>[]): string {
  return elements.map((element) => `(${element.ai})${element.raw}`).join('');
}
