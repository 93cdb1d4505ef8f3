import type { FormEvent } from 'react';
import { useId, useRef, useState } from 'react';

import type { SessionInfo } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import type { PlainError } from '../api/error-text.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionMonitor } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { ScanGuard } from '../scan/ScanGuard.js';
import { describeUnlockError } from '../signin/sign-in-errors.js';

interface LockScreenProps {
  onUnlocked(session: SessionInfo): void;
  onSwitchUser(): void;
}

/**
 * Covers the workstation after the inactivity lock. It shows who is signed in and the ward, and
 * never any patient data. The screens behind it are unmounted, and only the App state records
 * which one to reopen.
 */
export function LockScreen({ onUnlocked, onSwitchUser }: LockScreenProps) {
  const api = useApi();
  const { session } = useSession();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<PlainError | null>(null);
  const connection = useConnectionMonitor();
  const [submitting, setSubmitting] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorId = useId();

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (password === '') {
      setError({ text: t('signin.error.passwordMissing'), detail: null });
      passwordRef.current?.focus();
      return;
    }

    setSubmitting(true);
    setError(null);
    try {
      const unlockedSession = await api.session.unlock({ password });
      console.info(`lock: unlocked for user ${unlockedSession.user.id}`);
      onUnlocked(unlockedSession);
    } catch (caught) {
      const body = toApiError(caught);
      console.info(`lock: unlock failed with ${body.code}`);
      setError(describeUnlockError(body, connection.getState()));
      setPassword('');
      passwordRef.current?.focus();
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <main className="signin lock" data-testid="lock-screen">
      <form className="signin__card" onSubmit={handleSubmit} noValidate aria-labelledby="lock-title">
        <p className="signin__product">{t('app.title')}</p>
        <h1 id="lock-title">{t('lock.title')}</h1>
        <p className="lock__reason">{t('lock.reason', { minutes: session.lockAfterMinutes })}</p>
        <ScanGuard message={t('scan.guard.locked')} />

        <dl className="lock__who">
          <div>
            <dt>{t('lock.signedIn')}</dt>
            <dd data-testid="lock-user">{session.user.displayName}</dd>
          </div>
          <div>
            <dt>{t('shell.ward')}</dt>
            <dd>{session.ward.name}</dd>
          </div>
        </dl>

        <label className="field">
          <span className="field__label">{t('lock.password')}</span>
          <input
            ref={passwordRef}
            className="input"
            data-testid="lock-password"
            name="password"
            type="password"
            autoComplete="current-password"
            autoFocus
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={error === null ? undefined : true}
            aria-describedby={error === null ? undefined : errorId}
          />
        </label>

        {error !== null && (
          <div id={errorId} className="notice notice--error" role="alert" data-testid="lock-error">
            <p>{error.text}</p>
            <ErrorDetail detail={error.detail} />
          </div>
        )}

        <button type="submit" className="button button--primary" data-testid="lock-unlock" disabled={submitting}>
          {submitting ? t('lock.unlocking') : t('lock.unlock')}
        </button>
        <p className="lock__kept">{t('lock.draftsKept')}</p>
        <button type="button" className="button button--link" data-testid="lock-switch-user" onClick={onSwitchUser} disabled={submitting}>
          {t('lock.switchUser')}
        </button>
      </form>
    </main>
  );
}
