import './it-screens.css';

import { useState } from 'react';

import type { ApiErrorBody, DiagnosticsExport, DiagnosticsSummary } from '../../../preload/api/index.js';
import { calls } from '../../../preload/api/index.js';
import { toApiError } from '../api/api-error.js';
import { useApi } from '../api/ApiContext.js';
import { ErrorNotice, LoadFailedNotice } from '../api/ErrorNotice.js';
import { describeCallError } from '../api/error-text.js';
import { resourceValue, useApiResource } from '../api/useApiResource.js';
import { useSession } from '../app/SessionContext.js';
import { formatDateTime } from '../format/datetime.js';
import { useConnectionState } from '../host/ConnectionContext.js';
import { t } from '../i18n/index.js';
import { describeDeviceState, describeLevel, describeSettingKey, describeSyncState, formatBytes, formatLag, formatSettingValue } from './it-text.js';
import { ManagedMark } from './ManagedMark.js';
import { PolicyProblems } from './PolicyProblems.js';

/**
 * Shows IT what this workstation runs and how it is doing: versions, replica size, sync lag,
 * devices, logs, crash dumps and the effective policy, with an export of all of it that leaves
 * patient data out.
 */
export function DiagnosticsScreen() {
  const { resource, reload } = useApiResource('diagnostics', (api) => api.diagnostics.summary({}));
  const summary = resourceValue(resource);

  return (
    <main className="screen it-screen" data-testid="diagnostics-screen" aria-labelledby="diagnostics-title">
      <div className="it-screen__header">
        <h1 id="diagnostics-title" className="screen__title">
          {t('diagnostics.title')}
        </h1>
        <button type="button" className="button button--small" onClick={reload} data-testid="diagnostics-refresh">
          {t('diagnostics.refresh')}
        </button>
      </div>
      {resource.status === 'loading' && <p className="muted">{t('it.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice error={resource.error} call={calls.diagnostics.summary} subject={t('diagnostics.subject')} describe={(reason) => t('diagnostics.loadFailed', { message: reason })} onRetry={reload} />
      )}
      {summary !== undefined && <SummarySections summary={summary} />}
      <ExportPanel />
    </main>
  );
}

function SummarySections({ summary }: { summary: DiagnosticsSummary }) {
  return (
    <div className="it-sections">
      <section className="it-section" aria-labelledby="diagnostics-versions">
        <h2 id="diagnostics-versions" className="section-title">
          {t('diagnostics.versions.title')}
        </h2>
        <dl className="it-facts" data-testid="diagnostics-versions">
          <Fact label={t('diagnostics.versions.app')} value={summary.versions.app} />
          <Fact label={t('diagnostics.versions.electron')} value={summary.versions.electron ?? t('diagnostics.versions.browserHost')} />
          <Fact label={t('diagnostics.versions.node')} value={summary.versions.node} />
          <Fact label={t('diagnostics.versions.platform')} value={`${summary.versions.platform} ${summary.versions.arch}`} />
          <Fact label={t('diagnostics.workstation')} value={summary.workstationId} />
          <Fact label={t('diagnostics.ward')} value={summary.wardId} />
        </dl>
      </section>
      <section className="it-section" aria-labelledby="diagnostics-replica">
        <h2 id="diagnostics-replica" className="section-title">
          {t('diagnostics.replica.title')}
        </h2>
        <dl className="it-facts" data-testid="diagnostics-replica">
          <Fact label={t('diagnostics.replica.size')} value={formatBytes(summary.replica.bytes)} />
          <Fact label={t('diagnostics.replica.documents')} value={String(summary.replica.documents)} />
          <Fact label={t('diagnostics.sync.state')} value={describeSyncState(summary.sync.state)} />
          <Fact label={t('diagnostics.sync.lag')} value={formatLag(summary.sync.lagSeconds)} testId="diagnostics-sync-lag" />
          <Fact label={t('diagnostics.sync.lastSync')} value={summary.sync.lastSuccessfulSyncAt === null ? t('diagnostics.sync.never') : formatDateTime(summary.sync.lastSuccessfulSyncAt)} />
          <Fact label={t('diagnostics.sync.pending')} value={String(summary.sync.pendingChanges)} />
          <Fact label={t('diagnostics.folders.data')} value={summary.dataDirectory} />
          <Fact label={t('diagnostics.folders.logs')} value={logFilesText(summary.logs.files, formatBytes(summary.logs.bytes))} testId="diagnostics-log-files" />
          <Fact label={t('diagnostics.crashDumps')} value={crashDumpsText(summary.crashDumps.files, formatBytes(summary.crashDumps.bytes), summary.crashDumps.retentionDays)} />
        </dl>
      </section>
      <section className="it-section it-section--wide" aria-labelledby="diagnostics-devices">
        <h2 id="diagnostics-devices" className="section-title">
          {t('diagnostics.devices.title')}
        </h2>
        {summary.devices.length === 0 ? (
          <p className="muted">{t('diagnostics.devices.empty')}</p>
        ) : (
          <table className="table" data-testid="diagnostics-devices">
            <thead>
              <tr>
                <th scope="col">{t('diagnostics.devices.device')}</th>
                <th scope="col">{t('diagnostics.devices.endpoint')}</th>
                <th scope="col">{t('diagnostics.devices.state')}</th>
              </tr>
            </thead>
            <tbody>
              {summary.devices.map((device) => (
                <tr key={`${device.id}:${device.endpoint}`} data-state={device.state}>
                  <th scope="row">{device.id}</th>
                  <td className="it-settings__path">{device.endpoint === 'wedge' ? t('diagnostics.devices.keyboard') : device.endpoint}</td>
                  <td>
                    {describeDeviceState(device.state)}
                    {device.reason !== '' && <span className="it-device__reason">{device.reason}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="it-section it-section--wide" aria-labelledby="diagnostics-policy">
        <h2 id="diagnostics-policy" className="section-title">
          {t('diagnostics.policy.title')}
        </h2>
        <table className="table" data-testid="diagnostics-policy">
          <tbody>
            {summary.policy.settings
              .filter((setting) => setting.level !== null)
              .map((setting) => (
                <tr key={setting.key} data-key={setting.key}>
                  <th scope="row">
                    <span className="it-settings__label">{describeSettingKey(setting.key)}</span>
                    {/* Policy files and the ignored-values list name settings by key. */}
                    <code className="it-settings__key">{setting.key}</code>
                  </th>
                  <td className="it-settings__path">{formatSettingValue(setting.value)}</td>
                  <td>
                    {setting.managed && <ManagedMark id={`diagnostics-${setting.key}-managed`} />}
                    {describeLevel(setting.level)}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
        <PolicyProblems problems={summary.policy.problems} />
      </section>
    </div>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="it-facts__row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** Writes the export bundle on the workstation and shows where it went. */
function ExportPanel() {
  const api = useApi();
  const { handleCallError } = useSession();
  const connection = useConnectionState();
  const [exporting, setExporting] = useState(false);
  const [written, setWritten] = useState<DiagnosticsExport | null>(null);
  const [error, setError] = useState<ApiErrorBody | null>(null);

  async function exportBundle() {
    setExporting(true);
    setError(null);
    try {
      setWritten(await api.diagnostics.export({}));
    } catch (caught) {
      const body = toApiError(caught);
      console.warn(`diagnostics: export failed (${body.code})`);
      handleCallError(body);
      setError(body);
    } finally {
      setExporting(false);
    }
  }

  return (
    <section className="it-section it-export" aria-labelledby="diagnostics-export">
      <h2 id="diagnostics-export" className="section-title">
        {t('diagnostics.export.title')}
      </h2>
      <p className="muted">{t('diagnostics.export.intro')}</p>
      <button type="button" className="button button--primary" onClick={() => void exportBundle()} disabled={exporting} data-testid="diagnostics-export">
        {exporting ? t('diagnostics.export.running') : t('diagnostics.export.action')}
      </button>
      {written !== null && (
        <p className="notice notice--success" role="status" data-testid="diagnostics-export-done">
          {t('diagnostics.export.done', { path: written.path, size: formatBytes(written.bytes), files: written.entries.length })}
        </p>
      )}
      {error !== null && <ErrorNotice text={describeCallError(error, connection).text} detail={describeCallError(error, connection).detail} />}
    </section>
  );
}

function logFilesText(files: number, size: string): string {
  return files === 1 ? t('diagnostics.filesOne', { size }) : t('diagnostics.files', { files, size });
}

function crashDumpsText(files: number, size: string, days: number): string {
  return files === 1 ? t('diagnostics.crashDumpsValueOne', { size, days }) : t('diagnostics.crashDumpsValue', { files, size, days });
}
