/**
 * The GS1 application identifiers that this parser reads, with their data titles and formats as the
 * GS1 General Specifications (section 3.2) and GS1's machine-readable Syntax Dictionary list them.
 * An AI missing here is reported as unknown, so that a value is never read with a guessed length.
 *
 * NOTE: the Syntax Dictionary's mandatory associations and invalid pairs (such as AI 17 without a
 * GTIN) are not checked.
 */

/** `N`: digits only. `X`: GS1 AI encodable character set 82. */
export type Charset = 'N' | 'X';

export interface AiPart {
  readonly name: string;
  readonly charset: Charset;
  readonly minLength: number;
  readonly maxLength: number;
  /** The part's last digit is a GS1 mod-10 check digit over the digits before it in the part. */
  readonly checkDigit?: boolean;
  /** The length must be a multiple of this (country-code lists). */
  readonly multipleOf?: number;
  /** The only lengths allowed, when not every length from min to max is. */
  readonly lengths?: readonly number[];
  /** The only value allowed. */
  readonly fixedValue?: string;
}

export type AiInterpretation =
  | { readonly kind: 'text' }
  /** A GS1 identification key; `gs1PrefixAt` is where the GS1 prefix starts in the value. */
  | { readonly kind: 'key'; readonly gs1PrefixAt: number; readonly gtin?: boolean }
  /** YYMMDD; day 00 means the month's last day where `dayZeroAllowed`. */
  | { readonly kind: 'date'; readonly dayZeroAllowed: boolean; readonly expiry?: boolean }
  /** YYMMDDHH followed by optional MM and SS. */
  | { readonly kind: 'date-time'; readonly dayZeroAllowed: boolean; readonly expiry?: boolean }
  /** A number whose last AI digit gives the decimal places. */
  | { readonly kind: 'measure'; readonly unit: string; readonly decimals: number }
  | { readonly kind: 'amount'; readonly decimals: number; readonly withCurrency: boolean }
  | { readonly kind: 'count' };

export interface AiDefinition {
  readonly ai: string;
  readonly title: string;
  readonly parts: readonly AiPart[];
  readonly interpretation: AiInterpretation;
  /** A rule across parts; returns why the parts break it. */
  readonly checkParts?: (parts: readonly string[]) => string | undefined;
}

/**
 * First two digits of the AIs whose element strings have a predefined length, so that no group
 * separator follows them (GS1 General Specifications, figure 7.8.5-2). Every other AI's value ends
 * at a group separator or at the end of the data, even where its format is fixed.
 */
const PREDEFINED_LENGTH_PREFIXES = new Set(['00', '01', '02', '03', '04', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '31', '32', '33', '34', '35', '36', '41']);

export function hasPredefinedLength(ai: string): boolean {
  return PREDEFINED_LENGTH_PREFIXES.has(ai.slice(0, 2));
}

const TEXT = { kind: 'text' } as const;
const COUNT = { kind: 'count' } as const;

function n(name: string, minLength: number, maxLength = minLength, rules: Partial<AiPart> = {}): AiPart {
  return { name, charset: 'N', minLength, maxLength, ...rules };
}

function x(name: string, minLength: number, maxLength = minLength): AiPart {
  return { name, charset: 'X', minLength, maxLength };
}

const DEFINITIONS: AiDefinition[] = [];

function define(ai: string, title: string, parts: readonly AiPart[], interpretation: AiInterpretation = TEXT, checkParts?: AiDefinition['checkParts']): void {
  DEFINITIONS.push({ ai, title, parts, interpretation, ...(checkParts ? { checkParts } : {}) });
}

/** Checks that an ITIP piece number lies between 01 and the total count. */
function checkPieceOfTotal(parts: readonly string[]): string | undefined {
  const piece = Number(parts[1]);
  const total = Number(parts[2]);
  if (piece < 1 || total < 1 || piece > total) return `piece ${parts[1]} of ${parts[2]} is not a piece between 01 and the total count`;
  return undefined;
}

function defineKey(ai: string, title: string, length: number, gs1PrefixAt: number, gtin = false): void {
  define(ai, title, [n(title, length, length, { checkDigit: true })], { kind: 'key', gs1PrefixAt, ...(gtin ? { gtin } : {}) });
}

function defineDate(ai: string, title: string, dayZeroAllowed: boolean, expiry = false): void {
  define(ai, title, [n('date', 6)], { kind: 'date', dayZeroAllowed, ...(expiry ? { expiry } : {}) });
}

defineKey('00', 'SSCC', 18, 1);
defineKey('01', 'GTIN', 14, 1, true);
defineKey('02', 'CONTENT', 14, 1, true);
define('10', 'BATCH/LOT', [x('batch or lot number', 1, 20)]);
defineDate('11', 'PROD DATE', true);
defineDate('12', 'DUE DATE', true);
defineDate('13', 'PACK DATE', true);
defineDate('15', 'BEST BEFORE or BEST BY', true);
defineDate('16', 'SELL BY', true);
defineDate('17', 'USE BY or EXPIRY', true, true);
define('20', 'VARIANT', [n('variant', 2)]);
define('21', 'SERIAL', [x('serial number', 1, 20)]);
define('22', 'CPV', [x('consumer product variant', 1, 20)]);
define('235', 'TPX', [x('third party controlled serialised extension', 1, 28)]);
define('240', 'ADDITIONAL ID', [x('additional product identification', 1, 30)]);
define('241', 'CUST. PART No.', [x('customer part number', 1, 30)]);
define('242', 'MTO VARIANT', [n('made-to-order variation number', 1, 6)]);
define('243', 'PCN', [x('packaging component number', 1, 20)]);
define('250', 'SECONDARY SERIAL', [x('secondary serial number', 1, 30)]);
define('251', 'REF. TO SOURCE', [x('reference to source entity', 1, 30)]);
define('253', 'GDTI', [n('document type', 13, 13, { checkDigit: true }), x('serial component', 0, 17)], { kind: 'key', gs1PrefixAt: 0 });
define('254', 'GLN EXTENSION COMPONENT', [x('GLN extension component', 1, 20)]);
define('255', 'GCN', [n('coupon reference', 13, 13, { checkDigit: true }), n('serial component', 0, 12)], { kind: 'key', gs1PrefixAt: 0 });
define('30', 'VAR. COUNT', [n('count', 1, 8)], COUNT);
define('37', 'COUNT', [n('count', 1, 8)], COUNT);

/** Trade measures 310n-369n: six digits with n decimal places (0 to 5), units as UCUM codes. */
const MEASURES: ReadonlyArray<readonly [prefix: string, title: string, unit: string]> = [
  ['310', 'NET WEIGHT (kg)', 'kg'],
  ['311', 'LENGTH (m)', 'm'],
  ['312', 'WIDTH (m)', 'm'],
  ['313', 'HEIGHT (m)', 'm'],
  ['314', 'AREA (m²)', 'm2'],
  ['315', 'NET VOLUME (l)', 'L'],
  ['316', 'NET VOLUME (m³)', 'm3'],
  ['320', 'NET WEIGHT (lb)', '[lb_av]'],
  ['321', 'LENGTH (in)', '[in_i]'],
  ['322', 'LENGTH (ft)', '[ft_i]'],
  ['323', 'LENGTH (yd)', '[yd_i]'],
  ['324', 'WIDTH (in)', '[in_i]'],
  ['325', 'WIDTH (ft)', '[ft_i]'],
  ['326', 'WIDTH (yd)', '[yd_i]'],
  ['327', 'HEIGHT (in)', '[in_i]'],
  ['328', 'HEIGHT (ft)', '[ft_i]'],
  ['329', 'HEIGHT (yd)', '[yd_i]'],
  ['330', 'GROSS WEIGHT (kg)', 'kg'],
  ['331', 'LENGTH (m), log', 'm'],
  ['332', 'WIDTH (m), log', 'm'],
  ['333', 'HEIGHT (m), log', 'm'],
  ['334', 'AREA (m²), log', 'm2'],
  ['335', 'VOLUME (l), log', 'L'],
  ['336', 'VOLUME (m³), log', 'm3'],
  ['337', 'KG PER m²', 'kg/m2'],
  ['340', 'GROSS WEIGHT (lb)', '[lb_av]'],
  ['341', 'LENGTH (in), log', '[in_i]'],
  ['342', 'LENGTH (ft), log', '[ft_i]'],
  ['343', 'LENGTH (yd), log', '[yd_i]'],
  ['344', 'WIDTH (in), log', '[in_i]'],
  ['345', 'WIDTH (ft), log', '[ft_i]'],
  ['346', 'WIDTH (yd), log', '[yd_i]'],
  ['347', 'HEIGHT (in), log', '[in_i]'],
  ['348', 'HEIGHT (ft), log', '[ft_i]'],
  ['349', 'HEIGHT (yd), log', '[yd_i]'],
  ['350', 'AREA (in²)', '[sin_i]'],
  ['351', 'AREA (ft²)', '[sft_i]'],
  ['352', 'AREA (yd²)', '[syd_i]'],
  ['353', 'AREA (in²), log', '[sin_i]'],
  ['354', 'AREA (ft²), log', '[sft_i]'],
  ['355', 'AREA (yd²), log', '[syd_i]'],
  ['356', 'NET WEIGHT (t oz)', '[oz_tr]'],
  ['357', 'NET VOLUME (oz)', '[foz_us]'],
  ['360', 'NET VOLUME (qt)', '[qt_us]'],
  ['361', 'NET VOLUME (gal.)', '[gal_us]'],
  ['362', 'VOLUME (qt), log', '[qt_us]'],
  ['363', 'VOLUME (gal.), log', '[gal_us]'],
  ['364', 'VOLUME (in³)', '[cin_i]'],
  ['365', 'VOLUME (ft³)', '[cft_i]'],
  ['366', 'VOLUME (yd³)', '[cyd_i]'],
  ['367', 'VOLUME (in³), log', '[cin_i]'],
  ['368', 'VOLUME (ft³), log', '[cft_i]'],
  ['369', 'VOLUME (yd³), log', '[cyd_i]'],
];

for (const [prefix, title, unit] of MEASURES) {
  for (let decimals = 0; decimals <= 5; decimals += 1) {
    define(`${prefix}${decimals}`, title, [n('measure', 6)], { kind: 'measure', unit, decimals });
  }
}

for (let decimals = 0; decimals <= 9; decimals += 1) {
  define(`390${decimals}`, 'AMOUNT', [n('amount', 1, 15)], { kind: 'amount', decimals, withCurrency: false });
  define(`391${decimals}`, 'AMOUNT', [n('ISO 4217 currency code', 3), n('amount', 1, 15)], { kind: 'amount', decimals, withCurrency: true });
  define(`392${decimals}`, 'PRICE', [n('price', 1, 15)], { kind: 'amount', decimals, withCurrency: false });
  define(`393${decimals}`, 'PRICE', [n('ISO 4217 currency code', 3), n('price', 1, 15)], { kind: 'amount', decimals, withCurrency: true });
}

define('400', 'ORDER NUMBER', [x("customer's purchase order number", 1, 30)]);
define('401', 'GINC', [x('global identification number for consignment', 1, 30)]);
defineKey('402', 'GSIN', 17, 0);
define('403', 'ROUTE', [x('routing code', 1, 30)]);
defineKey('410', 'SHIP TO LOC', 13, 0);
defineKey('411', 'BILL TO', 13, 0);
defineKey('412', 'PURCHASE FROM', 13, 0);
defineKey('413', 'SHIP FOR LOC', 13, 0);
defineKey('414', 'LOC No.', 13, 0);
defineKey('415', 'PAY TO', 13, 0);
defineKey('416', 'PROD/SERV LOC', 13, 0);
defineKey('417', 'PARTY', 13, 0);
define('420', 'SHIP TO POST', [x('postal code', 1, 20)]);
define('421', 'SHIP TO POST', [n('ISO 3166 country code', 3), x('postal code', 1, 9)]);
define('422', 'ORIGIN', [n('ISO 3166 country code', 3)]);
define('423', 'COUNTRY - INITIAL PROCESS', [n('ISO 3166 country codes', 3, 15, { multipleOf: 3 })]);
define('424', 'COUNTRY - PROCESS', [n('ISO 3166 country code', 3)]);
define('425', 'COUNTRY - DISASSEMBLY', [n('ISO 3166 country codes', 3, 15, { multipleOf: 3 })]);
define('426', 'COUNTRY - FULL PROCESS', [n('ISO 3166 country code', 3)]);
define('427', 'ORIGIN SUBDIVISION', [x('ISO 3166-2 subdivision code', 1, 3)]);
define('4324', 'NOT BEF DEL DT', [n('date and time', 10)], { kind: 'date-time', dayZeroAllowed: true });
define('4325', 'NOT AFT DEL DT', [n('date and time', 10)], { kind: 'date-time', dayZeroAllowed: true });
defineDate('4326', 'REL DATE', false);
define('7003', 'EXPIRY TIME', [n('date and time', 10)], { kind: 'date-time', dayZeroAllowed: false, expiry: true });

/** National Healthcare Reimbursement Numbers, the national drug codes of six countries. */
const NATIONAL_HEALTHCARE_REIMBURSEMENT_NUMBERS = ['PZN', 'CIP', 'CN', 'DRN', 'AIM', 'NDC'];
NATIONAL_HEALTHCARE_REIMBURSEMENT_NUMBERS.forEach((scheme, index) => {
  define(`71${index}`, `NHRN ${scheme}`, [x('national healthcare reimbursement number', 1, 20)]);
});

for (let sequence = 0; sequence <= 9; sequence += 1) {
  define(`723${sequence}`, `CERT # ${sequence}`, [x('certification scheme', 2), x('certification reference', 1, 28)]);
}
define('7240', 'PROTOCOL', [x('protocol ID', 1, 20)]);
define(
  '8003',
  'GRAI',
  [n('zero', 1, 1, { fixedValue: '0' }), n('returnable asset type', 13, 13, { checkDigit: true }), x('serial component', 0, 16)],
  { kind: 'key', gs1PrefixAt: 1 },
);
define('8004', 'GIAI', [x('global individual asset identifier', 1, 30)]);
define('8005', 'PRICE PER UNIT', [n('price per unit of measure', 6)]);
define('8006', 'ITIP', [n('GTIN', 14, 14, { checkDigit: true }), n('piece number', 2), n('total count', 2)], { kind: 'key', gs1PrefixAt: 1 }, checkPieceOfTotal);
define('8008', 'PROD TIME', [n('date and hour', 8), n('minutes and seconds', 0, 4, { lengths: [0, 2, 4] })], { kind: 'date-time', dayZeroAllowed: false });
defineKey('8017', 'GSRN - PROVIDER', 18, 0);
defineKey('8018', 'GSRN - RECIPIENT', 18, 0);
define('8020', 'REF No.', [x('payment slip reference number', 1, 25)]);
define('90', 'INTERNAL', [x('mutually agreed information', 1, 30)]);
for (let company = 1; company <= 9; company += 1) {
  define(`9${company}`, 'INTERNAL', [x('company internal information', 1, 90)]);
}

const BY_AI: ReadonlyMap<string, AiDefinition> = new Map(DEFINITIONS.map((definition) => [definition.ai, definition]));

/** Every known AI, for tests and for building element strings. */
export const APPLICATION_IDENTIFIERS: readonly AiDefinition[] = DEFINITIONS;

export function getAiDefinition(ai: string): AiDefinition | undefined {
  return BY_AI.get(ai);
}

/**
 * Finds the AI at `start`. GS1 assigns AIs so that none is a prefix of another, so the first
 * 2-, 3- or 4-digit match is the only one.
 */
export function findAiAt(data: string, start: number): AiDefinition | undefined {
  for (let length = 2; length <= 4; length += 1) {
    const definition = BY_AI.get(data.slice(start, start + length));
    if (definition) return definition;
  }
  return undefined;
}

export function minimumLength(definition: AiDefinition): number {
  return definition.parts.reduce((sum, part) => sum + part.minLength, 0);
}

export function maximumLength(definition: AiDefinition): number {
  return definition.parts.reduce((sum, part) => sum + part.maxLength, 0);
}
