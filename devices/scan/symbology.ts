/**
 * AIM symbology identifiers (ISO/IEC 15424): the `]` + code character + modifier that a scanner
 * configured to send them puts before the data. The identifier shows whether the data is a GS1
 * element string (FNC1 in first position), a GTIN from an EAN/UPC or ITF-14 symbol, or plain text.
 */

/** The kind of data after the identifier. */
export type SymbologyContent =
  /** GS1 application identifiers and values, groups ended by GS (FNC1). */
  | 'gs1-element-string'
  /** The digits of a GTIN (EAN-13, UPC-A, UPC-E, EAN-8, ITF-14), without an application identifier. */
  | 'gtin'
  /** Anything else; GS1 rules do not apply. */
  | 'text';

export interface Symbology {
  /** The identifier as scanned, such as `]d2`. */
  readonly identifier: string;
  readonly name: string;
  readonly content: SymbologyContent;
}

type Entry = readonly [modifiers: string, name: string, content: SymbologyContent];

/** Known identifiers by code character; each modifier character listed gets the entry's name. */
const SYMBOLOGIES: Readonly<Record<string, readonly Entry[]>> = {
  A: [['01234567', 'Code 39', 'text']],
  C: [
    ['0', 'Code 128', 'text'],
    ['1', 'GS1-128', 'gs1-element-string'],
    ['2', 'Code 128 with FNC1 in second position', 'text'],
    ['4', 'Code 128 with ISBT 128 concatenation', 'text'],
  ],
  d: [
    ['0', 'Data Matrix ECC 000-140', 'text'],
    ['1', 'Data Matrix', 'text'],
    ['2', 'GS1 DataMatrix', 'gs1-element-string'],
    ['3', 'Data Matrix with FNC1 in second position', 'text'],
    ['4', 'Data Matrix with ECI', 'text'],
    ['5', 'GS1 DataMatrix with ECI', 'gs1-element-string'],
    ['6', 'Data Matrix with FNC1 in second position and ECI', 'text'],
  ],
  Q: [
    ['0', 'QR Code model 1', 'text'],
    ['12', 'QR Code', 'text'],
    ['3', 'GS1 QR Code', 'gs1-element-string'],
    ['4', 'GS1 QR Code with ECI', 'gs1-element-string'],
    ['56', 'QR Code with FNC1 in second position', 'text'],
  ],
  e: [['0', 'GS1 DataBar', 'gs1-element-string']],
  E: [
    ['0', 'EAN-13 or UPC', 'gtin'],
    ['1', 'EAN/UPC two-digit add-on', 'text'],
    ['2', 'EAN/UPC five-digit add-on', 'text'],
    ['3', 'EAN-13 with add-on', 'gtin'],
    ['4', 'EAN-8', 'gtin'],
  ],
  I: [
    ['0', 'Interleaved 2 of 5', 'text'],
    ['1', 'ITF-14', 'gtin'],
    ['3', 'Interleaved 2 of 5', 'text'],
  ],
  J: [
    ['0', 'DotCode', 'text'],
    ['1', 'GS1 DotCode', 'gs1-element-string'],
    ['23', 'DotCode', 'text'],
  ],
  L: [['012', 'PDF417', 'text']],
  z: [['0123456', 'Aztec Code', 'text']],
  F: [['0124', 'Codabar', 'text']],
  G: [['0', 'Code 93', 'text']],
  H: [['01', 'Code 11', 'text']],
  X: [['0123456789', 'Other symbology', 'text']],
};

/** Looks up a three-character identifier such as `]C1`; undefined when unknown. */
export function lookupSymbology(identifier: string): Symbology | undefined {
  if (identifier.length !== 3 || identifier[0] !== ']') return undefined;

  const entries = SYMBOLOGIES[identifier[1] as string] ?? [];
  const entry = entries.find(([modifiers]) => modifiers.includes(identifier[2] as string));
  if (!entry) return undefined;
  return { identifier, name: entry[1], content: entry[2] };
}
