import type { ApiErrorBody, CallDefinition } from '../../../preload/api/index.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { describeCallError, describeForbiddenRole, isWorthRetrying } from './error-text.js';

interface ErrorNoticeProps {
  text: string;
  /** The technical message for IT, shown in a quieter line under `text`. */
  detail: string | null;
  /** Offers "Try again"; left out where trying again cannot help. */
  onRetry?: () => void;
  className?: string;
}

/** Renders a failure in plain words, the detail for IT under it, and "Try again" where that can help. */
export function ErrorNotice({ text, detail, onRetry, className }: ErrorNoticeProps) {
  return (
    <div className={className === undefined ? 'notice notice--error' : `notice notice--error ${className}`} role="alert">
      <p>{text}</p>
      <ErrorDetail detail={detail} />
      {onRetry !== undefined && (
        <button type="button" className="button notice__action" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}

/** Renders the technical message of a failure for IT, or nothing when the plain text is all there is. */
export function ErrorDetail({ detail }: { detail: string | null }) {
  return detail === null ? null : <span className="error-detail">{t('error.detail', { detail })}</span>;
}

interface LoadFailedNoticeProps {
  error: ApiErrorBody;
  /** The call that failed. Its access rule separates a role the contract excludes from other `forbidden` errors. */
  call: CallDefinition;
  /** The data that could not be loaded, as the start of a sentence: "The ward list". */
  subject: string;
  /** Wraps the plain reason in the screen's sentence, such as "The ward list could not be loaded: …". */
  describe(reason: string): string;
  onRetry(): void;
  className?: string;
}

/**
 * Explains why a screen's data did not load. A role that the contract does not allow the call gets
 * the roles that may make it, and no "Try again", because trying again cannot help.
 */
export function LoadFailedNotice({ error, call, subject, describe, onRetry, className }: LoadFailedNoticeProps) {
  const { session } = useSession();
  const connection = useConnectionState();

  const forbiddenRole = error.code === 'forbidden' ? describeForbiddenRole(subject, call, session.user.roles) : null;
  if (forbiddenRole !== null) {
    return (
      <p className={className === undefined ? 'notice notice--info' : `notice notice--info ${className}`} role="alert" data-testid="access-forbidden">
        {forbiddenRole}
      </p>
    );
  }

  const plain = describeCallError(error, connection);
  return <ErrorNotice text={describe(plain.text)} detail={plain.detail} onRetry={isWorthRetrying(error.code) ? onRetry : undefined} className={className} />;
}
