import type { Hl7Segment } from '../segment.js';

/**
 * A coded element (CE, CWE, CNE): the first triplet, the alternate triplet and, for CWE and CNE,
 * the original text (component 9). Empty components read as ''.
 */
export interface CodedElement {
  code: string;
  text: string;
  system: string;
  alternateCode: string;
  alternateText: string;
  alternateSystem: string;
  originalText: string;
}

/** Reads a coded element from field `field`, repetition `repetition` of a segment. */
export function readCoded(segment: Hl7Segment, field: number, repetition = 1): CodedElement {
  const component = (n: number): string => segment.value(field, repetition, n, 1);
  return {
    code: component(1),
    text: component(2),
    system: component(3),
    alternateCode: component(4),
    alternateText: component(5),
    alternateSystem: component(6),
    originalText: component(9),
  };
}

/** Whether a coded element has any content. */
export function isEmptyCoded(coded: CodedElement): boolean {
  return Object.values(coded).every((value) => value === '');
}
