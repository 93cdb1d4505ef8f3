import { describe, expect, it } from 'vitest';

import type { CheckProblemView } from '../../../preload/api/medication-schemas.js';
import { CHECK_PROBLEM_CODES } from '../../../preload/api/clinical/medication-check.js';
import { checkProblemText } from '../../../renderer/src/medication/check-problem-text.js';
import { durationText } from '../../../renderer/src/medication/duration-text.js';

const CONTEXT = { patientName: 'MULLER, Ana', productName: 'Furosemide 40 mg tablets', now: new Date(2026, 11, 4, 12, 5) };

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

  it('names the last dose and the next time of an early as-needed dose', () => {
    const details = { lastGivenAt: new Date(2026, 11, 4, 10, 35).toISOString(), minutesSince: 90, interval: 240, nextAllowedAt: new Date(2026, 11, 4, 14, 35).toISOString() };
    expect(checkProblemText(problem('as-needed-too-soon', details), CONTEXT)).toBe(
      'Too soon: the last dose was given at 10:35, 90 min ago, and this order needs 4 h 0 min between doses. The next dose may be given from 14:35.',
    );
  });

  it('dates a next time on another day', () => {
    const details = { lastGivenAt: new Date(2026, 11, 4, 10, 35).toISOString(), minutesSince: 90, interval: 1440, nextAllowedAt: new Date(2026, 11, 5, 10, 35).toISOString() };
    expect(checkProblemText(problem('as-needed-too-soon', details), CONTEXT)).toMatch(/given from 05 Dec 2026, 10:35\.$/);
  });

  it('names the total against the maximum', () => {
    const nextAllowedAt = new Date(2026, 11, 4, 19, 0).toISOString();
    const amount = { kind: 'amount', given: '4 g', after: '5 g', max: '4 g', hours: 24, nextAllowedAt };
    expect(checkProblemText(problem('as-needed-maximum', amount), CONTEXT)).toBe(
      'Maximum dose: 4 g was given in the last 24 h, and this dose would make 5 g, over the maximum of 4 g per 24 h. Do not give it. The next dose fits the maximum from 19:00, or ask the prescriber.',
    );
    const doses = { kind: 'doses', given: '3', after: '4', max: '3', hours: 24, nextAllowedAt };
    expect(checkProblemText(problem('as-needed-maximum', doses), CONTEXT)).toBe(
      'Maximum dose: 3 doses were given in the last 24 h, and the order allows 3 per 24 h. Do not give it. The next dose fits the maximum from 19:00, or ask the prescriber.',
    );
  });

  it('asks to count a maximum in another unit', () => {
    expect(checkProblemText(problem('as-needed-maximum-unverified', { max: '4 g', hours: 24 }), CONTEXT)).toBe(
      'Maximum dose not checked: the order allows at most 4 g per 24 h, but a dose is recorded in a unit that does not convert to it. Add up the doses on the MAR. If this dose stays within the maximum, give it with the reason that you counted.',
    );
  });
});
