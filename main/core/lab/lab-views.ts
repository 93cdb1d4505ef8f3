import type { LabResultDraft, LabResultGroup, ResultValue } from '../../../devices/results/index.js';
import type { LabResultGroupView, LabResultView } from '../../../preload/api/lab-schemas.js';

/** The patient a matched specimen belongs to, as the lab screens name them. */
export interface GroupPatient {
  patientId: string;
  name: string;
  mrn: string;
}

/**
 * Writes a result value as lab staff read it: "<0.5", "1:128", "2-8", "Positive". A quantity keeps
 * the digits the analyzer sent ("15.0", not "15") unless the profile converted it to another unit.
 */
export function describeValue(value: ResultValue, sent: string, converted = false): string {
  switch (value.kind) {
    case 'quantity': {
      const sentNumber = sent.trim().replace(/^(<=|>=|<|>)\s*/, '');
      if (!converted && sentNumber !== '' && Number(sentNumber) === value.value) return `${value.comparator ?? ''}${sentNumber}`;
      return `${value.comparator ?? ''}${value.value}`;
    }
    case 'ratio':
      return `${value.comparator ?? ''}${value.numerator}:${value.denominator}`;
    case 'range':
      return `${value.low}-${value.high}`;
    case 'text':
      return value.text;
    case 'coded':
      return value.display || value.code;
    case 'empty':
      return sent;
  }
}

export function toResultView(result: LabResultDraft): LabResultView {
  const mapped = result.match.kind === 'mapped' ? result.match.mapping : undefined;
  return {
    testCode: result.testCode.key,
    display: mapped?.display ?? (result.testCode.display || result.testCode.key),
    loinc: mapped?.loinc ?? null,
    value: describeValue(result.value, result.sentValue, result.unit.conversion !== undefined),
    unit: result.unit.stored ?? (result.unit.sent || null),
    referenceRange: result.referenceRange?.text || null,
    interpretation: result.interpretation.map((flag) => flag.code ?? flag.sent),
    status: result.status.fhir,
    reviewReasons: result.review.map((reason) => reason.code),
  };
}

export function toGroupView(group: LabResultGroup, specimenId: string | null, patient: GroupPatient | undefined): LabResultGroupView {
  return {
    groupId: group.id,
    accession: group.accession ?? '',
    specimenId,
    patientId: patient?.patientId ?? null,
    patientName: patient?.name ?? null,
    mrn: patient?.mrn || null,
    results: group.results.filter((result) => result.match.kind !== 'ignored').map(toResultView),
  };
}

/** Shows control characters of a raw message by name, so lab IT can read frames and segments. */
export function showControlCharacters(raw: Buffer): string {
  const names: Record<number, string> = { 0x02: 'STX', 0x03: 'ETX', 0x04: 'EOT', 0x05: 'ENQ', 0x06: 'ACK', 0x0b: 'VT', 0x0d: 'CR', 0x0a: 'LF', 0x15: 'NAK', 0x17: 'ETB', 0x1c: 'FS' };
  const bytes = raw.toString('latin1');
  let text = '';
  for (let index = 0; index < bytes.length; index += 1) {
    const code = bytes.charCodeAt(index);
    const name = names[code];
    // A line break after each CR (or CR LF) keeps one record or segment per line.
    const endsLine = code === 0x0a || (code === 0x0d && bytes.charCodeAt(index + 1) !== 0x0a);
    if (name) text += `<${name}>${endsLine ? '\n' : ''}`;
    else if (code < 0x20 || code === 0x7f) text += `<0x${code.toString(16).padStart(2, '0')}>`;
    else text += bytes[index];
  }
  return text;
}
