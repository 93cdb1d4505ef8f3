/**
 * Barcode scan parsing: AIM symbology identifiers, GS1 element strings, Digital Link URIs and
 * EAN/UPC GTINs, HIBC, and the site's wristband and specimen formats. Pure functions without I/O
 * or logging; the clock is a parameter. See README.md beside this file.
 */

export { parseScan } from './parse-scan.js';
export type { ScanParseOptions } from './parse-scan.js';
export type { Gs1ScanResult, Gs1Syntax, HibcScanResult, ScanKind, ScanResult, SpecimenScanResult, UnknownScanResult, WristbandScanResult } from './scan-result.js';
export { SCAN_ERROR_CODES, SitePatternError } from './errors.js';
export type { ScanError, ScanErrorCode } from './errors.js';
export { compileSitePattern } from './site-patterns.js';
export type { SitePatternName } from './site-patterns.js';
export { lookupSymbology } from './symbology.js';
export type { Symbology, SymbologyContent } from './symbology.js';

// GS1
export { APPLICATION_IDENTIFIERS, getAiDefinition, hasPredefinedLength } from './gs1/application-identifiers.js';
export type { AiDefinition, AiInterpretation, AiPart } from './gs1/application-identifiers.js';
export type { Gs1Element } from './gs1/element.js';
export { formatElementString, GROUP_SEPARATOR } from './gs1/element-string.js';
export { formatHri } from './gs1/hri.js';
export { formatDigitalLink } from './gs1/digital-link.js';
export { gs1CheckDigit } from './gs1/check-digit.js';
export { expandUpcE } from './gs1/gtin.js';
export type { GtinFormat, VariableMeasure, VariableMeasureRule } from './gs1/gtin.js';
export type { Gs1Prefix } from './gs1/prefixes.js';

// HIBC
export { hibcCheckCharacter } from './hibc/check-character.js';
export type { HibcData } from './hibc/hibc-data.js';
