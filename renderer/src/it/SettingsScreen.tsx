import './it-screens.css';

import { useState } from 'react';

import type { ApiErrorBody, EffectiveSetting, UserSettingKey } from '../../../preload/api/index.js';
import { calls, USER_SETTING_KEYS } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorNotice, LoadFailedNotice } from '../api/ErrorNotice.js';
import { mayCall } from '../api/call-access.js';
import { describeCallError } from '../api/error-text.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useSession } from '../app/SessionContext.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { describeLevel, describeSettingKey, formatSettingValue } from './it-text.js';
import { ManagedMark } from './ManagedMark.js';
import { PolicyProblems } from './PolicyProblems.js';
import { ScannerList } from '../scan/ScannerList.js';

/**
 * Shows every setting with its effective value and where it comes from. Settings that mandatory
 * policy or the ward configuration fix are read-only and marked as managed. The few user
 * settings are editable by IT administrators and apply from the next start. Every signed-in user
 * may open the screen, so each setting is named in words, and only IT administrators also see
 * the policy key that policy files and the ignored-values list use.
 */
export function SettingsScreen() {
  const { session } = useSession();
  const { resource, reload } = useApiResource('settings', (api) => api.settings.effective({}));
  const settings = resourceValue(resource);
  const mayEdit = mayCall(calls.settings.update, session.user.roles);
  const showPolicyKeys = mayEdit;

  return (
    <main className="screen it-screen" data-testid="settings-screen" aria-labelledby="settings-title">
      <h1 id="settings-title" className="screen__title">
        {t('settings.title')}
      </h1>
      <p className="muted">{t('settings.intro')}</p>
      {resource.status === 'loading' && <p className="muted">{t('it.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice error={resource.error} call={calls.settings.effective} subject={t('settings.subject')} describe={(reason) => t('settings.loadFailed', { message: reason })} onRetry={reload} />
      )}
      {settings !== undefined && (
        <>
          <table className="table it-settings">
            <thead>
              <tr>
                <th scope="col">{t('settings.column.setting')}</th>
                <th scope="col">{t('settings.column.value')}</th>
                <th scope="col">{t('settings.column.source')}</th>
              </tr>
            </thead>
            <tbody>
              {settings.settings.map((setting) => (
                <SettingRow key={`${setting.key}:${formatSettingValue(setting.value)}`} setting={setting} mayEdit={mayEdit} showPolicyKey={showPolicyKeys} onSaved={reload} />
              ))}
            </tbody>
          </table>
          <PolicyProblems problems={settings.problems} />
        </>
      )}
      <ScannerList />
    </main>
  );
}

function isUserSettingKey(key: string): key is UserSettingKey {
  return (USER_SETTING_KEYS as readonly string[]).includes(key);
}

interface SettingRowProps {
  setting: EffectiveSetting;
  mayEdit: boolean;
  /** Whether the policy key is shown under the label, which IT administrators need. */
  showPolicyKey: boolean;
  onSaved(): void;
}

function SettingRow({ setting, mayEdit, showPolicyKey, onSaved }: SettingRowProps) {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionState();
  const [draft, setDraft] = useState(formatSettingValue(setting.value));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const editable = setting.editable && mayEdit && isUserSettingKey(setting.key);
  const inputId = `setting-${setting.key}`;
  const markId = `${inputId}-managed`;

  async function save() {
    if (!isUserSettingKey(setting.key)) return;
    setSaving(true);
    setError(null);
    try {
      await api.settings.update({ key: setting.key, value: draft.trim() === '' ? null : draft.trim() });
      onSaved();
    } catch (caught) {
      const body = toApiError(caught);
      console.warn(`settings: saving ${setting.key} failed (${body.code})`);
      handleCallError(body);
      setError(body);
    } finally {
      setSaving(false);
    }
  }

  return (
    <tr data-testid="setting-row" data-key={setting.key} data-managed={setting.managed} data-level={setting.level ?? 'unset'}>
      <th scope="row">
        <label htmlFor={inputId} className="it-settings__label" data-testid="setting-label">
          {describeSettingKey(setting.key)}
        </label>
        {showPolicyKey && (
          <code className="it-settings__key" data-testid="setting-key">
            {setting.key}
          </code>
        )}
      </th>
      <td>
        <div className="it-settings__value">
          <input
            id={inputId}
            className="it-settings__input"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            disabled={!editable}
            aria-describedby={setting.managed ? markId : undefined}
            data-testid="setting-input"
          />
          {editable && (
            <button type="button" className="button button--small" onClick={() => void save()} disabled={saving || draft === formatSettingValue(setting.value)} data-testid="setting-save">
              {saving ? t('settings.saving') : t('settings.save')}
            </button>
          )}
        </div>
        {setting.appliesAtNextStart && <p className="it-settings__note">{t('settings.appliesAtNextStart')}</p>}
        {error !== null && <ErrorNotice text={describeCallError(error, connection).text} detail={describeCallError(error, connection).detail} />}
      </td>
      <td>
        {setting.managed && <ManagedMark id={markId} />}
        <span className="it-settings__source">
          {describeLevel(setting.level)}
          {setting.source !== null && setting.level !== 'default' && <span className="it-settings__path">{setting.source}</span>}
        </span>
      </td>
    </tr>
  );
}
