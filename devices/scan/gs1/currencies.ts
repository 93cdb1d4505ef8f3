/**
 * ISO 4217 alphabetic codes of the currencies most likely on a European or North American label,
 * by numeric code. An amount in any other currency keeps its numeric code only.
 */
const ALPHABETIC_CODES: Readonly<Record<string, string>> = {
  '036': 'AUD',
  '124': 'CAD',
  '156': 'CNY',
  '203': 'CZK',
  '208': 'DKK',
  '348': 'HUF',
  '356': 'INR',
  '392': 'JPY',
  '410': 'KRW',
  '484': 'MXN',
  '554': 'NZD',
  '578': 'NOK',
  '710': 'ZAR',
  '752': 'SEK',
  '756': 'CHF',
  '826': 'GBP',
  '840': 'USD',
  '946': 'RON',
  '949': 'TRY',
  '978': 'EUR',
  '985': 'PLN',
  '986': 'BRL',
};

export function currencyAlphabeticCode(numericCode: string): string | undefined {
  return Object.hasOwn(ALPHABETIC_CODES, numericCode) ? ALPHABETIC_CODES[numericCode] : undefined;
}
