import type { ScanError } from './errors.js';
import type { Gs1Element } from './gs1/element.js';
import type { HibcData } from './hibc/hibc-data.js';
import type { Symbology } from './symbology.js';

export type ScanKind = 'gs1' | 'hibc' | 'wristband' | 'specimen' | 'unknown';

/** The syntax in which a GS1 scan carries its elements. */
export type Gs1Syntax =
  /** AIs and values with group separators, from a GS1 symbology or typed without one. */
  | 'element-string'
  /** Human readable interpretation, `(01)…(17)…`, as typed or pasted. */
  | 'hri'
  /** A GS1 Digital Link URI. */
  | 'digital-link'
  /** The GTIN of an EAN-13, UPC-A, UPC-E, EAN-8 or ITF-14 symbol. */
  | 'ean-upc';

interface ScanResultBase {
  /** The scan exactly as received. */
  readonly raw: string;
  /** The AIM symbology identifier, when the scanner sent one. */
  readonly symbology: Symbology | null;
  /** The scan without symbology identifier and surrounding whitespace. */
  readonly data: string;
  /** The reason the scan is invalid, or null for a valid scan. */
  readonly error: ScanError | null;
}

export interface Gs1ScanResult extends ScanResultBase {
  readonly kind: 'gs1';
  readonly syntax: Gs1Syntax;
  /** The elements in scan order; on an error, those read before it. */
  readonly elements: readonly Gs1Element[];
  /** The elements as human readable interpretation, to compare with the label. */
  readonly hri: string;
  /** The elements as an element string with GS (0x1D) separators. */
  readonly elementString: string;
  /** The elements as a Digital Link URI on GS1's resolver, when one is a primary key. */
  readonly digitalLink?: string;
  /** The two- or five-digit add-on of an EAN/UPC symbol. */
  readonly addOn?: string;
  /** Other valid readings of a scan that carried no symbology identifier, such as `425261` as UPC-E or as AI (425). */
  readonly alternatives?: readonly Gs1ScanResult[];
}

export interface HibcScanResult extends ScanResultBase {
  readonly kind: 'hibc';
  /** The fields read; on an error, those read before it. */
  readonly hibc: HibcData;
}

export interface WristbandScanResult extends ScanResultBase {
  readonly kind: 'wristband';
  /** The `mrn` named group of the wristband pattern, or the whole data when it has none. */
  readonly mrn: string;
  /** Every named group of the pattern. */
  readonly groups: Readonly<Record<string, string>>;
}

export interface SpecimenScanResult extends ScanResultBase {
  readonly kind: 'specimen';
  /** The `accession` named group of the specimen pattern, or the whole data when it has none. */
  readonly accession: string;
  readonly groups: Readonly<Record<string, string>>;
}

/** A scan in no format this parser reads. It is valid unless `error` is set (an unknown symbology identifier). */
export interface UnknownScanResult extends ScanResultBase {
  readonly kind: 'unknown';
}

export type ScanResult = Gs1ScanResult | HibcScanResult | WristbandScanResult | SpecimenScanResult | UnknownScanResult;
