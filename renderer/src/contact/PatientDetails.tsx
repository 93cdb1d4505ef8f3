import { useState } from 'react';

import type { NextOfKin, PatientContact } from '../../../preload/api/index.js';
import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import { mayCall } from '../api/call-access.js';
import type { Resource } from '../api/useApiResource.js';
import { resourceValue } from '../api/useApiResource.js';
import { useSession } from '../app/SessionContext.js';
import { useNow } from '../app/useNow.js';
import { conflictReason, describeElements } from '../attention/attention-text.js';
import { formatTime, formatTimeOrDateTime } from '../format/datetime.js';
import { t } from '../i18n/index.js';
import { SyncStateTag } from '../sync/SyncStateTag.js';
import { ContactForm } from './ContactForm.js';

interface PatientDetailsProps {
  resource: Resource<PatientContact>;
  onRetry(): void;
  onSaved(): void;
  onOpenAttention(): void;
}

/**
 * The patient's phone number and next of kin, with the sync state of the Patient record, and the
 * form to edit them for ward staff. When the central server kept another version of an edit made
 * here, it tells the user in plain words and links to the review.
 */
export function PatientDetails({ resource, onRetry, onSaved, onOpenAttention }: PatientDetailsProps) {
  const { session } = useSession();
  const now = useNow();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<{ contact: PatientContact; at: string } | null>(null);
  const contact = resourceValue(resource);
  const mayEdit = contact?.editable === true && mayCall(calls.patient.updateContact, session.user.roles);

  return (
    <section className="patient-details" aria-labelledby="patient-details-title" data-testid="patient-details">
      <div className="patient-details__header">
        <h2 id="patient-details-title" className="section-title">
          {t('contact.title')}
        </h2>
        {contact !== undefined && <SyncStateTag state={contact.syncState} testId="patient-sync-state" />}
      </div>

      {resource.status === 'loading' && <p className="muted">{t('contact.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice
          error={resource.error}
          call={calls.patient.getContact}
          subject={t('contact.subject')}
          describe={(reason) => t('contact.loadFailed', { message: reason })}
          onRetry={onRetry}
        />
      )}

      {contact?.openConflict != null && (
        <div className="notice notice--warning" role="status" data-testid="patient-conflict-notice">
          <p>
            {t('contact.notApplied', {
              what: describeElements(contact.openConflict.elements),
              reason: conflictReason(contact.openConflict.rule),
              time: formatTimeOrDateTime(contact.openConflict.detectedAt, now),
            })}
          </p>
          <button type="button" className="button button--small notice__action" data-testid="patient-conflict-review" onClick={onOpenAttention}>
            {t('contact.review')}
          </button>
        </div>
      )}

      {contact !== undefined && !editing && (
        <>
          <dl className="patient-details__facts">
            <div>
              <dt>{t('contact.phone')}</dt>
              <dd data-testid="patient-phone">{contact.phone ?? <span className="muted">{t('contact.notRecorded')}</span>}</dd>
            </div>
            <div>
              <dt>{t('contact.nextOfKin')}</dt>
              <dd data-testid="patient-next-of-kin">{contact.nextOfKin === null ? <span className="muted">{t('contact.notRecorded')}</span> : describeNextOfKin(contact.nextOfKin)}</dd>
            </div>
          </dl>
          {mayEdit && (
            <button type="button" className="button button--small" data-testid="contact-edit" onClick={() => setEditing(true)}>
              {t('contact.edit')}
            </button>
          )}
          {contact.editable === false && <p className="muted">{t('contact.readOnly')}</p>}
          {saved !== null && sameDetails(saved.contact, contact) && (
            <p className="notice notice--success" role="status">
              {t('contact.saved', { time: formatTime(saved.at) })}
            </p>
          )}
        </>
      )}

      {contact !== undefined && editing && (
        <ContactForm
          contact={contact}
          onCancel={() => setEditing(false)}
          onSaved={(result) => {
            setEditing(false);
            setSaved({ contact: result, at: new Date().toISOString() });
            onSaved();
          }}
        />
      )}
    </section>
  );
}

/** Whether the details shown are still the ones saved here, so that "saved" never labels another version. */
function sameDetails(a: PatientContact, b: PatientContact): boolean {
  return a.phone === b.phone && JSON.stringify(a.nextOfKin) === JSON.stringify(b.nextOfKin);
}

function describeNextOfKin(kin: NextOfKin): string {
  const name = kin.relationship === null ? kin.name : `${kin.name} (${kin.relationship})`;
  return kin.phone === null ? name : `${name}, ${t('contact.kinPhone', { phone: kin.phone })}`;
}
