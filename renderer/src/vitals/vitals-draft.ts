import type { News2Parameter, VitalSignsInput } from '../../../preload/api/index.js';
import { NEWS2_PARAMETERS, vitalSignsInput } from '../../../preload/api/index.js';

/**
 * The vitals form as typed: one string per NEWS2 parameter, so that nothing the nurse typed is
 * lost while it is still invalid. `onOxygen` is '', 'air' or 'oxygen'; `consciousness` is '' or
 * an ACVPU letter.
 */
export type VitalsDraft = Record<News2Parameter, string>;

export const emptyDraft: VitalsDraft = {
  respiratoryRate: '',
  spo2: '',
  onOxygen: '',
  systolicBloodPressure: '',
  pulse: '',
  consciousness: '',
  temperature: '',
};

export type NumericParameter = 'respiratoryRate' | 'spo2' | 'systolicBloodPressure' | 'pulse' | 'temperature';

export const NUMERIC_PARAMETERS: readonly NumericParameter[] = ['respiratoryRate', 'spo2', 'systolicBloodPressure', 'pulse', 'temperature'];

export const CONSCIOUSNESS_LEVELS = ['A', 'C', 'V', 'P', 'U'] as const;

export type FieldProblem =
  | { kind: 'not-number' }
  /** Systolic BP typed as systolic/diastolic, as blood pressure is usually written. */
  | { kind: 'blood-pressure-pair' }
  | { kind: 'not-whole-number' }
  | { kind: 'too-many-decimals' }
  | { kind: 'out-of-range'; min: number; max: number }
  | { kind: 'not-an-option' };

export interface NumericRange {
  min: number;
  max: number;
  /** Decimal places accepted: 0 for counts, 1 for temperature as charted. */
  decimals: number;
}

/** Returns the accepted range of a numeric parameter, read from the contract's input schema so the two never differ. */
export function numericRange(parameter: NumericParameter): NumericRange {
  const field = vitalSignsInput.shape[parameter].unwrap();
  return {
    min: field.minValue ?? Number.NEGATIVE_INFINITY,
    max: field.maxValue ?? Number.POSITIVE_INFINITY,
    decimals: parameter === 'temperature' ? 1 : 0,
  };
}

export interface ParsedDraft {
  /** The valid entries, ready for `vitals.record` and for live scoring. */
  observations: VitalSignsInput;
  /** One problem per field whose text is not a valid value. */
  problems: Partial<Record<News2Parameter, FieldProblem>>;
  /** True when no field has any text or choice. */
  isEmpty: boolean;
}

const numberPattern = /^-?\d+(?:[.,](\d*))?$/;
/** Systolic and diastolic pressure, such as `120/80`. */
const bloodPressurePairPattern = /^\s*\d+\s*\/\s*\d+\s*$/;

/** Parses one numeric field; a comma is accepted as the decimal separator. */
export function parseNumber(text: string, range: NumericRange): { value: number } | { problem: FieldProblem } {
  const match = numberPattern.exec(text.trim());
  if (match === null) return { problem: { kind: 'not-number' } };

  const decimals = match[1]?.length ?? 0;
  if (decimals > range.decimals) {
    return { problem: range.decimals === 0 ? { kind: 'not-whole-number' } : { kind: 'too-many-decimals' } };
  }
  const value = Number(text.trim().replace(',', '.'));
  if (value < range.min || value > range.max) return { problem: { kind: 'out-of-range', min: range.min, max: range.max } };
  return { value };
}

/** Parses the whole form: valid values become observations, invalid ones become problems. */
export function parseDraft(draft: VitalsDraft): ParsedDraft {
  const observations: VitalSignsInput = {};
  const problems: Partial<Record<News2Parameter, FieldProblem>> = {};

  for (const parameter of NUMERIC_PARAMETERS) {
    if (draft[parameter].trim() === '') continue;
    const parsed = parseNumber(draft[parameter], numericRange(parameter));
    if ('value' in parsed) observations[parameter] = parsed.value;
    else if (parameter === 'systolicBloodPressure' && bloodPressurePairPattern.test(draft[parameter])) problems[parameter] = { kind: 'blood-pressure-pair' };
    else problems[parameter] = parsed.problem;
  }

  if (draft.onOxygen === 'air' || draft.onOxygen === 'oxygen') observations.onOxygen = draft.onOxygen === 'oxygen';
  else if (draft.onOxygen !== '') problems.onOxygen = { kind: 'not-an-option' };

  const consciousness = CONSCIOUSNESS_LEVELS.find((level) => level === draft.consciousness);
  if (consciousness !== undefined) observations.consciousness = consciousness;
  else if (draft.consciousness !== '') problems.consciousness = { kind: 'not-an-option' };

  const isEmpty = NEWS2_PARAMETERS.every((parameter) => draft[parameter].trim() === '');
  return { observations, problems, isEmpty };
}

/**
 * Finds the form field an `invalid-input` issue from the core is about. Issue paths name the
 * field last, as in `observations.respiratoryRate`; other issues belong to the whole form.
 */
export function parameterOfIssuePath(path: string): News2Parameter | null {
  const last = path.split(/[./]/).pop() ?? '';
  return (NEWS2_PARAMETERS as readonly string[]).includes(last) ? (last as News2Parameter) : null;
}
