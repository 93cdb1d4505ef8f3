import type { FormEvent } from 'react';
import { useEffect, useId, useMemo, useRef, useState } from 'react';

import type { News2Parameter, PatientChart } from '../../../preload/api/index.js';
import { NEWS2_PARAMETERS, WARD_CLINICIANS, scoreNews2 } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorDetail } from '../api/ErrorNotice.js';
import { useSession } from '../app/SessionContext.js';
import { SpO2ScaleControl } from '../chart/SpO2ScaleControl.js';
import { formatTime } from '../format/datetime.js';
import { describeSpO2Scale } from '../format/spo2-scale.js';
import { useConnectionMonitor } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { describeFieldProblem } from './field-problem-text.js';
import type { FormError } from './form-error.js';
import { describeSaveError, formErrorText, visibleFormError } from './form-error.js';
import { News2Result } from './News2Result.js';
import type { VitalsDraft } from './vitals-draft.js';
import { emptyDraft, parameterOfIssuePath, parseDraft } from './vitals-draft.js';
import { useVitalsDrafts } from './VitalsDraftContext.js';
import { VitalsFields, fieldId } from './VitalsFields.js';

type FieldMessages = Partial<Record<News2Parameter, string>>;

interface VitalsPanelProps {
  chart: PatientChart;
  onSaved(): void;
  onChartChanged(): void;
}

/**
 * Renders the entry form for one set of observations, scored live with NEWS2 on the patient's SpO2
 * scale. The draft is kept per user in the draft store, so it survives failed saves, navigation,
 * the lock screen and the end of the session. A successful save clears only the fields that were
 * saved, and signing out discards the user's drafts.
 */
export function VitalsPanel({ chart, onSaved, onChartChanged }: VitalsPanelProps) {
  const api = useApi();
  const { session, handleCallError } = useSession();
  const drafts = useVitalsDrafts();
  const connection = useConnectionMonitor();
  const patientId = chart.patientId;
  const idPrefix = useId();

  const [draft, setDraft] = useState<VitalsDraft>(() => drafts.get(patientId) ?? emptyDraft);
  const [touched, setTouched] = useState<ReadonlySet<News2Parameter>>(new Set());
  const [showAllProblems, setShowAllProblems] = useState(false);
  const [serverIssues, setServerIssues] = useState<FieldMessages>({});
  const [formError, setFormError] = useState<FormError | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const savingRef = useRef(false);
  // One observation id per set of values until it is saved, so a retry after a lost answer is
  // recognised by the core instead of charting the set twice.
  const pendingSaveRef = useRef<{ values: string; observationId: string } | null>(null);

  const parsed = useMemo(() => parseDraft(draft), [draft]);
  const score = useMemo(() => scoreNews2(parsed.observations, chart.spo2Scale.scale), [parsed, chart.spo2Scale.scale]);

  useEffect(() => {
    if (parsed.isEmpty) drafts.delete(patientId);
    else drafts.set(patientId, draft);
  }, [drafts, patientId, draft, parsed.isEmpty]);

  const fieldErrors: FieldMessages = {};
  for (const parameter of NEWS2_PARAMETERS) {
    const problem = parsed.problems[parameter];
    const local = problem !== undefined && (showAllProblems || touched.has(parameter)) ? describeFieldProblem(problem) : undefined;
    const message = serverIssues[parameter] ?? local;
    if (message !== undefined) fieldErrors[parameter] = message;
  }

  const canRecord = session.user.roles.some((role) => WARD_CLINICIANS.includes(role));

  function handleChange(parameter: News2Parameter, value: string) {
    setDraft((current) => ({ ...current, [parameter]: value }));
    setServerIssues(({ [parameter]: _removed, ...rest }) => rest);
    setSavedAt(null);
  }

  function handleBlur(parameter: News2Parameter) {
    setTouched((current) => (current.has(parameter) ? current : new Set([...current, parameter])));
  }

  function focusField(parameter: News2Parameter) {
    document.getElementById(fieldId(idPrefix, parameter))?.focus();
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (savingRef.current) return;

    setSavedAt(null);
    const invalid = NEWS2_PARAMETERS.find((parameter) => parsed.problems[parameter] !== undefined);
    if (invalid !== undefined) {
      setShowAllProblems(true);
      setFormError({ kind: 'fields' });
      focusField(invalid);
      return;
    }
    if (parsed.isEmpty) {
      setFormError({ kind: 'empty' });
      focusField('respiratoryRate');
      return;
    }

    const submitted = draft;
    savingRef.current = true;
    setSaving(true);
    setFormError(null);
    try {
      const values = JSON.stringify(parsed.observations);
      if (pendingSaveRef.current?.values !== values) pendingSaveRef.current = { values, observationId: crypto.randomUUID() };
      const saved = await api.vitals.record({ patientId, observationId: pendingSaveRef.current.observationId, observations: parsed.observations });
      pendingSaveRef.current = null;
      console.info(`vitals: saved set ${saved.id} for patient ${patientId}`);
      setDraft((current) => clearSubmittedFields(current, submitted));
      setTouched(new Set());
      setShowAllProblems(false);
      setServerIssues({});
      setSavedAt(saved.effectiveDateTime);
      onSaved();
    } catch (caught) {
      const error = toApiError(caught);
      console.warn(`vitals: save failed for patient ${patientId} (${error.code})`);
      handleCallError(error);

      const issues: FieldMessages = {};
      for (const issue of error.issues ?? []) {
        const parameter = parameterOfIssuePath(issue.path);
        if (parameter !== null) issues[parameter] ??= issue.message;
      }
      setServerIssues(issues);
      setFormError(describeSaveError(error, Object.keys(issues).length > 0, connection.getState()));
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  }

  const scaleText = describeSpO2Scale(chart.spo2Scale);
  const shownError = visibleFormError(formError, { hasFieldErrors: Object.keys(fieldErrors).length > 0, isEmpty: parsed.isEmpty });
  const shownErrorText = shownError === null ? null : formErrorText(shownError);

  return (
    <section className="vitals-panel" aria-labelledby={`${idPrefix}-title`}>
      <div className="vitals-panel__header">
        <h2 id={`${idPrefix}-title`} className="section-title">
          {t('vitals.title')}
        </h2>
        <SpO2ScaleControl chart={chart} scaleText={scaleText} onChanged={onChartChanged} />
      </div>

      {canRecord ? (
        <form className="vitals-form" data-testid="vitals-form" onSubmit={handleSubmit} noValidate>
          <div className="vitals-form__entry">
            <VitalsFields
              idPrefix={idPrefix}
              draft={draft}
              subScores={score.subScores}
              errors={fieldErrors}
              spo2ScaleText={scaleText}
              spo2ScaleIs2={chart.spo2Scale.scale === 2}
              onChange={handleChange}
              onBlur={handleBlur}
            />
            <div className="vitals-form__actions">
              <button type="submit" className="button button--primary" data-testid="vitals-save" aria-disabled={saving}>
                {saving ? t('vitals.saving') : t('vitals.save')}
              </button>
              {shownErrorText !== null && (
                <div className="notice notice--error" role="alert" data-testid="vitals-error">
                  <p>{shownErrorText.text}</p>
                  <ErrorDetail detail={shownErrorText.detail} />
                </div>
              )}
              {savedAt !== null && (
                <p className="notice notice--success" role="status">
                  {t('vitals.saved', { time: formatTime(savedAt) })}
                </p>
              )}
            </div>
          </div>
          <News2Result score={score} invalid={NEWS2_PARAMETERS.filter((parameter) => parsed.problems[parameter] !== undefined)} />
        </form>
      ) : (
        <p className="notice notice--info">{t('vitals.readOnly')}</p>
      )}
      <p className="vitals-panel__acknowledgement">{t('news2.acknowledgement')}</p>
    </section>
  );
}

/** Clears the fields that still hold what was saved; anything typed while the save was running stays. */
function clearSubmittedFields(current: VitalsDraft, submitted: VitalsDraft): VitalsDraft {
  const next = { ...current };
  for (const parameter of NEWS2_PARAMETERS) {
    if (current[parameter] === submitted[parameter]) next[parameter] = '';
  }
  return next;
}
