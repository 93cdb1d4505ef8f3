import type { ScanError } from '../errors.js';
import { scanError } from '../errors.js';
import { findAiAt, hasPredefinedLength, maximumLength } from './application-identifiers.js';
import type { Gs1Element } from './element.js';
import type { ReadContext } from './read-element.js';
import { readElement } from './read-element.js';

export const GROUP_SEPARATOR = '\x1d';

/** Elements read from a scan, up to the first error. */
export interface Gs1Reading {
  readonly elements: Gs1Element[];
  readonly error: ScanError | null;
}

/**
 * Reads a GS1 element string: AIs and values, each value of an AI without a predefined length
 * ended by a group separator (GS, which scanners send for FNC1) or by the end of the data.
 * Separators that are not needed (leading, doubled, after a predefined-length value, trailing)
 * are skipped, as GS1 scanning applications do. `offset` is the index of `data` in the raw scan.
 */
export function readElementString(data: string, offset: number, separators: readonly string[], context: ReadContext): Gs1Reading {
  const elements: Gs1Element[] = [];
  let index = 0;

  while (index < data.length) {
    if (separators.includes(data[index] as string)) {
      index += 1;
      continue;
    }

    const definition = findAiAt(data, index);
    if (!definition) return { elements, error: unknownAi(data, index, offset) };

    const valueStart = index + definition.ai.length;
    const valueEnd = findValueEnd(data, valueStart, separators, hasPredefinedLength(definition.ai) ? maximumLength(definition) : undefined);
    const reading = readElement({ definition, value: data.slice(valueStart, valueEnd), position: offset + index, valuePosition: offset + valueStart }, context);
    if (!reading.ok) return { elements, error: reading.error };

    elements.push(reading.element);
    index = valueEnd;
  }
  return { elements, error: null };
}

/** End of a value: the next separator, or `fixedLength` characters on for predefined-length AIs. */
function findValueEnd(data: string, start: number, separators: readonly string[], fixedLength: number | undefined): number {
  const limit = fixedLength === undefined ? data.length : Math.min(start + fixedLength, data.length);
  for (let index = start; index < limit; index += 1) {
    if (separators.includes(data[index] as string)) return index;
  }
  return limit;
}

function unknownAi(data: string, index: number, offset: number): ScanError {
  const found = data.slice(index, index + 4);
  const shown = JSON.stringify(data.slice(index, index + 12));
  const message = /^\d{2}/.test(found)
    ? `Unknown GS1 application identifier at position ${offset + index} (${shown}): the AI is not supported, or a group separator (GS) is missing before it`
    : `Missing GS1 application identifier at position ${offset + index}, where the data continues with ${shown}: the value before it may be too long, or the barcode is not GS1`;
  return scanError('unknown-ai', offset + index, message, { found });
}

/** Formats elements as an element string, with a group separator after each value of an AI without predefined length, except the last. */
export function formatElementString(elements: readonly Pick<Gs1Element, 'ai' | 'raw'>[], separator: string = GROUP_SEPARATOR): string {
  return elements
    .map((element, index) => {
      const last = index === elements.length - 1;
      return `${element.ai}${element.raw}${last || hasPredefinedLength(element.ai) ? '' : separator}`;
    })
    .join('');
}
