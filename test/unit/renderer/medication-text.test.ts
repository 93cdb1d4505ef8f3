import { describe, expect, it } from 'vitest';

import type { CheckProblemView } from '../../../preload/api/medication-schemas.js';
import { CHECK_PROBLEM_CODES } from '../../../preload/api/clinical/medication-check.js';
import { checkProblemText } from '../../../renderer/src/medication/check-problem-text.js';
import { durationText } from '../../../renderer/src/medication/duration-text.js';

const CONTEXT = { patientName: 'MULLER, Ana', productName: 'Furosemide 40 mg tablets' };

function problem(code: CheckProblemView['code'], details: CheckProblemView['details'] = {}): CheckProblemView {
  return { code, overridable: false, details };
}

describe('duration text', () => {
  it('gives minutes up to 90', () => {
    expect(durationText(5)).toBe('5 min');
    expect(durationText(-90)).toBe('90 min');
  });

  it('gives hours and minutes beyond 90', () => {
    expect(durationText(355)).toBe('5 h 55 min');
    expect(durationText(-120)).toBe('2 h 0 min');
  });
});

describe('check problem text', () => {
  it('words every problem code without placeholders', () => {
    for (const code of CHECK_PROBLEM_CODES) {
      const text = checkProblemText(problem(code, { scheduledAt: '2026-12-04T12:00:00.000Z', minutes: 60, window: 30 }), CONTEXT);
      expect(text, code).not.toMatch(/\{\w+\}/);
      expect(text.length, code).toBeGreaterThan(20);
    }
  });

  it('names the expiry date of an expired pack', () => {
    expect(checkProblemText(problem('expired', { expiry: '2020-01-31' }), CONTEXT)).toBe('Expired medication: the package expired on 2020-01-31. Do not give it; take another pack.');
  });

  it('tells a wrong wristband from another patient order', () => {
    expect(checkProblemText(problem('wrong-patient', { source: 'wristband' }), CONTEXT)).toContain('the wristband scanned belongs to another patient');
    expect(checkProblemText(problem('wrong-patient', { source: 'order' }), CONTEXT)).toContain('ordered for another patient, not for MULLER, Ana');
  });

  it('says early or late with the duration', () => {
    expect(checkProblemText(problem('wrong-time', { scheduledAt: '2026-12-04T18:00:00.000Z', minutes: -355, window: 30 }), CONTEXT)).toMatch(/5 h 55 min from now\. Doses are on time within 30 min either side\.$/);
    expect(checkProblemText(problem('wrong-time', { scheduledAt: '2026-12-04T08:00:00.000Z', minutes: 45, window: 30 }), CONTEXT)).toMatch(/45 min ago\./);
  });

  it('names the product of a drug without order', () => {
    expect(checkProblemText(problem('no-order', { gtin: '09520123450069' }), CONTEXT)).toBe('Wrong drug: Furosemide 40 mg tablets is not ordered for this patient. Do not give it.');
  });
});
