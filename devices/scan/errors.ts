/** Reason code of a rejected scan. README.md beside this file explains each code. */
export type ScanErrorCode =
  /** The scan is empty, or contains only whitespace and a symbology identifier. */
  | 'empty-scan'
  /** The scan starts with `]`, but the next two characters are not in this parser's table of AIM symbology identifiers. */
  | 'unknown-symbology'
  /** No GS1 application identifier starts at this position. */
  | 'unknown-ai'
  /** A value is shorter or longer than its application identifier allows. */
  | 'wrong-length'
  /** A character is not allowed here: a non-digit in a numeric field, or one outside the encodable set. */
  | 'invalid-character'
  /** A GS1 mod-10 check digit does not match the digits before it. */
  | 'bad-check-digit'
  /** A date or time field contains a date or time that does not exist. */
  | 'invalid-date'
  /** The expiry date (AI 17, AI 7003 or the HIBC expiry) is before the clock's date. */
  | 'expired'
  /** A value breaks a rule of its application identifier other than length, characters and check digit. */
  | 'invalid-value'
  /** The same application identifier appears twice with different values. */
  | 'conflicting-ai'
  /** A GS1 Digital Link URI has no primary key or a malformed path or query. */
  | 'invalid-digital-link'
  /** An HIBC scan does not follow the primary or secondary data structure. */
  | 'invalid-hibc'
  /** The HIBC modulo 43 check character does not match the data before it. */
  | 'bad-check-character'
  /** The scan matches both the wristband and the specimen pattern of the site settings. */
  | 'ambiguous-site-pattern';

export const SCAN_ERROR_CODES: readonly ScanErrorCode[] = [
  'empty-scan',
  'unknown-symbology',
  'unknown-ai',
  'wrong-length',
  'invalid-character',
  'bad-check-digit',
  'invalid-date',
  'expired',
  'invalid-value',
  'conflicting-ai',
  'invalid-digital-link',
  'invalid-hibc',
  'bad-check-character',
  'ambiguous-site-pattern',
];

/** A rejected scan: plain data, so that it crosses the API contract and prints as JSON unchanged. */
export interface ScanError {
  readonly code: ScanErrorCode;
  /** One sentence for the user: what is wrong, with which value, and what to do. */
  readonly message: string;
  /** 0-based index in the raw scan (symbology identifier and whitespace included) where the problem starts. */
  readonly position: number;
  /** The application identifier concerned, for GS1 scans. */
  readonly ai?: string;
  /** The value concerned, as scanned. */
  readonly value?: string;
  /** The value the rule requires there: the correct check digit or character, a length, a date. */
  readonly expected?: string;
  /** The value the scan contains there instead. */
  readonly found?: string;
}

type ErrorDetails = Omit<ScanError, 'code' | 'message' | 'position'>;

export function scanError(code: ScanErrorCode, position: number, message: string, details: ErrorDetails = {}): ScanError {
  return { code, message, position, ...details };
}

/** Thrown by `compileSitePattern` when a site's wristband or specimen pattern is an invalid regular expression. */
export class SitePatternError extends Error {
  override readonly name = 'SitePatternError';

  constructor(
    readonly setting: 'wristband' | 'specimen',
    readonly source: string,
    reason: string,
  ) {
    super(`The ${setting} pattern ${JSON.stringify(source)} is an invalid regular expression (${reason}): correct the pattern`);
  }
}
