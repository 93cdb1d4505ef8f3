/** UCUM units the medication checks convert between, as factors to the base unit of their dimension. */
export const UNIT_FACTORS: Record<string, { dimension: 'mass' | 'volume' | 'unit'; factor: number }> = {
  g: { dimension: 'mass', factor: 1 },
  mg: { dimension: 'mass', factor: 1e-3 },
  ug: { dimension: 'mass', factor: 1e-6 },
  mcg: { dimension: 'mass', factor: 1e-6 },
  ng: { dimension: 'mass', factor: 1e-9 },
  L: { dimension: 'volume', factor: 1 },
  mL: { dimension: 'volume', factor: 1e-3 },
  '[iU]': { dimension: 'unit', factor: 1 },
  '[IU]': { dimension: 'unit', factor: 1 },
};

/**
 * Converts an amount into the UCUM unit `code`: unchanged when the codes are equal (so "{tablet}"
 * converts to itself), by factor within one dimension, else null.
 */
export function convertAmount(amount: { value: number; code: string }, code: string): number | null {
  if (amount.code === code) return amount.value;
  const from = UNIT_FACTORS[amount.code];
  const to = UNIT_FACTORS[code];
  if (!from || !to || from.dimension !== to.dimension) return null;
  return (amount.value * from.factor) / to.factor;
}
