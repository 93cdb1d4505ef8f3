import type { FormEvent } from 'react';
import { useEffect, useId, useRef, useState } from 'react';

import type { ApiErrorBody, PatientContact } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import { describeCallError } from '../api/error-text.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';
import type { ContactDraft, ContactField, ContactProblems } from './contact-draft.js';
import { describeFieldProblem, draftOf, fieldOfIssuePath, parseContactDraft } from './contact-draft.js';

interface ContactFormProps {
  contact: PatientContact;
  onSaved(contact: PatientContact): void;
  onCancel(): void;
}

const FIELDS: readonly { field: ContactField; label: PlainMessageKey; type: 'tel' | 'text' }[] = [
  { field: 'phone', label: 'contact.phone', type: 'tel' },
  { field: 'kinName', label: 'contact.kinName', type: 'text' },
  { field: 'kinRelationship', label: 'contact.kinRelationship', type: 'text' },
  { field: 'kinPhone', label: 'contact.kinPhone.label', type: 'tel' },
];

/**
 * Edits a patient's phone number and next of kin. The save goes to the replica at once and syncs
 * later, so it works offline. The details panel then shows the record as not yet sent.
 */
export function ContactForm({ contact, onSaved, onCancel }: ContactFormProps) {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionState();
  const idPrefix = useId();
  const [draft, setDraft] = useState<ContactDraft>(() => draftOf(contact));
  const [problems, setProblems] = useState<ContactProblems>({});
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const [saving, setSaving] = useState(false);
  const firstInputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    firstInputRef.current?.focus();
  }, []);

  function change(field: ContactField, value: string) {
    setDraft((current) => ({ ...current, [field]: value }));
    setProblems(({ [field]: _cleared, ...rest }) => rest);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const parsed = parseContactDraft(contact.patientId, draft);
    setProblems(parsed.problems);
    setError(null);
    if (parsed.input === null) {
      const first = FIELDS.find(({ field }) => parsed.problems[field] !== undefined);
      if (first) document.getElementById(`${idPrefix}-${first.field}`)?.focus();
      return;
    }

    setSaving(true);
    try {
      const saved = await api.patient.updateContact(parsed.input);
      console.info(`contact: saved details of patient ${contact.patientId}`);
      onSaved(saved);
    } catch (caught) {
      const body = toApiError(caught);
      console.warn(`contact: save failed for patient ${contact.patientId} (${body.code})`);
      handleCallError(body);
      const fromCore: ContactProblems = {};
      for (const issue of body.issues ?? []) {
        const field = fieldOfIssuePath(issue.path);
        if (field !== null) fromCore[field] ??= describeFieldProblem(field);
      }
      setProblems(fromCore);
      setError(body);
    } finally {
      setSaving(false);
    }
  }

  const plainError = error === null ? null : describeCallError(error, connection);
  const hasProblems = Object.keys(problems).length > 0;

  return (
    <form className="contact-form" data-testid="contact-form" onSubmit={submit} noValidate>
      <div className="contact-form__fields">
        {FIELDS.map(({ field, label, type }, index) => {
          const inputId = `${idPrefix}-${field}`;
          const problem = problems[field];
          return (
            <div key={field} className="field">
              <label className="field__label" htmlFor={inputId}>
                {t(label)}
              </label>
              <input
                ref={index === 0 ? firstInputRef : undefined}
                id={inputId}
                className="input"
                type={type}
                // The browser must not offer another patient's details typed before.
                autoComplete="off"
                value={draft[field]}
                onChange={(event) => change(field, event.target.value)}
                aria-invalid={problem !== undefined}
                aria-describedby={problem === undefined ? undefined : `${inputId}-error`}
                data-testid={`contact-${field}`}
              />
              {problem !== undefined && (
                <p className="vital__error" id={`${inputId}-error`} data-testid={`contact-error-${field}`}>
                  {problem}
                </p>
              )}
            </div>
          );
        })}
      </div>
      <p className="muted">{t('contact.kinHint')}</p>
      <div className="contact-form__actions">
        <button type="submit" className="button button--primary" data-testid="contact-save" aria-disabled={saving}>
          {saving ? t('contact.saving') : t('contact.save')}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={saving}>
          {t('contact.cancel')}
        </button>
      </div>
      {hasProblems && plainError === null && (
        <p className="notice notice--error" role="alert">
          {t('contact.error.fixFields')}
        </p>
      )}
      {plainError !== null && (
        <div className="notice notice--error" role="alert" data-testid="contact-error">
          <p>{t('contact.error.other', { message: plainError.text })}</p>
          <ErrorDetail detail={plainError.detail} />
        </div>
      )}
    </form>
  );
}
