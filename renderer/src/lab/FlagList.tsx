import type { LabResultView } from '../../../preload/api/lab-schemas.js';
import { t } from '../i18n/index.js';
import { describeFlags } from './lab-text.js';

/**
 * Shows a result's interpretation flags as the code and its meaning in words. Critical flags also
 * get a warning sign and the word "critical", so colour is never their only mark.
 */
export function FlagList({ result }: { result: Pick<LabResultView, 'interpretation' | 'reviewReasons'> }) {
  const flags = describeFlags(result);
  if (flags.length === 0) return <span className="muted">{t('lab.flag.none')}</span>;

  return (
    <span className="lab-flags">
      {flags.map((flag) => (
        <span key={flag.code} className={`lab-flag lab-flag--${flag.severity}`} data-testid="lab-flag" data-flag={flag.code} data-severity={flag.severity}>
          {flag.severity === 'critical' && <span aria-hidden="true">⚠ </span>}
          <span className="lab-flag__code">{flag.code}</span> {flag.text}
        </span>
      ))}
    </span>
  );
}
