import type { FormEvent } from 'react';
import { useId, useRef, useState } from 'react';

import type { SessionInfo } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import type { PlainError } from '../api/error-text.js';
import { useConnectionMonitor } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { ScanGuard } from '../scan/ScanGuard.js';
import { describeSignInError } from './sign-in-errors.js';
import { useServerReachable } from './useServerReachable.js';

interface SignInScreenProps {
  /** Reason the sign-in screen is showing, for example that the session expired. */
  notice: string | null;
  onSignedIn(session: SessionInfo): void;
  /** Heading; "Sign in" when left out. */
  title?: string;
  /** Offers a way back, for the form opened from the lock screen. */
  onCancel?: () => void;
  cancelLabel?: string;
  /** Receives each `session.signIn` call while it runs, so the App can tell its own sign-in from another window's. */
  trackSignIn?: <T>(attempt: Promise<T>) => Promise<T>;
}

export function SignInScreen({ notice, onSignedIn, title, onCancel, cancelLabel, trackSignIn }: SignInScreenProps) {
  const serverReachable = useServerReachable();
  const api = useApi();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<PlainError | null>(null);
  const connection = useConnectionMonitor();
  const [submitting, setSubmitting] = useState(false);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorId = useId();

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;

    if (username.trim() === '') {
      setError({ text: t('signin.error.usernameMissing'), detail: null });
      usernameRef.current?.focus();
      return;
    }
    if (password === '') {
      setError({ text: t('signin.error.passwordMissing'), detail: null });
      passwordRef.current?.focus();
      return;
    }

    setSubmitting(true);
    setError(null);
    try {
      const attempt = api.session.signIn({ username: username.trim(), password });
      const session = await (trackSignIn === undefined ? attempt : trackSignIn(attempt));
      console.info(`sign-in: signed in user ${session.user.id} (${session.mode})`);
      onSignedIn(session);
    } catch (caught) {
      const body = toApiError(caught);
      console.info(`sign-in: failed with ${body.code}`);
      setError(describeSignInError(body, connection.getState()));
      if (body.code === 'unauthenticated') {
        setPassword('');
        passwordRef.current?.focus();
      }
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <main className="signin">
      <form className="signin__card" onSubmit={handleSubmit} noValidate aria-labelledby="signin-title">
        <p className="signin__product">{t('app.title')}</p>
        <h1 id="signin-title">{title ?? t('signin.title')}</h1>
        <ScanGuard message={t('scan.guard.signedOut')} />

        {notice !== null && (
          <p className="notice notice--info" role="status" data-testid="signin-notice">
            {notice}
          </p>
        )}
        {serverReachable === false && (
          <p className="notice notice--calm" role="status" data-testid="signin-server-unreachable">
            {t('signin.serverUnreachable')}
          </p>
        )}

        <label className="field">
          <span className="field__label">{t('signin.username')}</span>
          <input
            ref={usernameRef}
            className="input"
            data-testid="signin-username"
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            aria-describedby={error === null ? undefined : errorId}
          />
        </label>

        <label className="field">
          <span className="field__label">{t('signin.password')}</span>
          <input
            ref={passwordRef}
            className="input"
            data-testid="signin-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-describedby={error === null ? undefined : errorId}
          />
        </label>

        {error !== null && (
          <div id={errorId} className="notice notice--error" role="alert" data-testid="signin-error">
            <p>{error.text}</p>
            <ErrorDetail detail={error.detail} />
          </div>
        )}

        <button type="submit" className="button button--primary" data-testid="signin-submit" disabled={submitting}>
          {submitting ? t('signin.submitting') : t('signin.submit')}
        </button>
        {onCancel !== undefined && (
          <button type="button" className="button button--link" data-testid="signin-cancel" onClick={onCancel} disabled={submitting}>
            {cancelLabel ?? t('signin.cancel')}
          </button>
        )}
      </form>
    </main>
  );
}
