import type { LabConnection } from '../../../preload/api/lab-schemas.js';
import { calls } from '../../../preload/api/index.js';
import { LoadFailedNotice } from '../api/ErrorNotice.js';
import type { Resource } from '../api/useApiResource.js';
import { resourceValue } from '../api/useApiResource.js';
import { formatRelative, formatTimeOrDateTime } from '../format/datetime.js';
import { t } from '../i18n/index.js';
import { describeConnectionState, describeProtocol } from './lab-text.js';

interface ConnectionListProps {
  resource: Resource<LabConnection[]>;
  now: Date;
  onRetry(): void;
}

/** Symbols that go with each state's word, so the state never rests on colour alone. */
const stateSymbols: Record<LabConnection['state'], string> = {
  open: '●',
  opening: '…',
  reconnecting: '↻',
  failed: '✕',
  closed: '○',
};

/** Lists the analyzer connections of this workstation with their state, counts and last message. */
export function ConnectionList({ resource, now, onRetry }: ConnectionListProps) {
  const connections = resourceValue(resource);

  return (
    <section className="lab-section" aria-labelledby="lab-connections-title" data-testid="lab-connections">
      <h2 id="lab-connections-title" className="section-title">
        {t('lab.connections.title')}
      </h2>
      {resource.status === 'loading' && <p className="muted">{t('lab.loading')}</p>}
      {resource.status === 'failed' && (
        <LoadFailedNotice
          error={resource.error}
          call={calls.lab.connections}
          subject={t('lab.connections.subject')}
          describe={(reason) => t('lab.connections.loadFailed', { message: reason })}
          onRetry={onRetry}
        />
      )}
      {connections !== undefined && connections.length === 0 && <p className="muted">{t('lab.connections.empty')}</p>}
      {connections !== undefined && connections.length > 0 && (
        <table className="table lab-connections">
          <thead>
            <tr>
              <th scope="col">{t('lab.connections.analyzer')}</th>
              <th scope="col">{t('lab.connections.state')}</th>
              <th scope="col">{t('lab.connections.port')}</th>
              <th scope="col">{t('lab.connections.received')}</th>
              <th scope="col">{t('lab.connections.lastMessage')}</th>
              <th scope="col">{t('lab.connections.failures')}</th>
            </tr>
          </thead>
          <tbody>
            {connections.map((connection) => (
              <ConnectionRow key={connection.id} connection={connection} now={now} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ConnectionRow({ connection, now }: { connection: LabConnection; now: Date }) {
  const showReason = connection.reason !== '' && connection.state !== 'open';

  return (
    <tr data-testid="lab-connection" data-connection-id={connection.id} data-state={connection.state}>
      <th scope="row">
        <span className="lab-connection__name">{connection.name}</span>
        <span className="lab-connection__id">{describeProtocol(connection.protocol)}</span>
      </th>
      <td>
        <span className={`lab-state lab-state--${connection.state}`} data-testid="lab-connection-state">
          <span aria-hidden="true">{stateSymbols[connection.state]} </span>
          {describeConnectionState(connection.state)}
        </span>
        {showReason && (
          <span className="lab-connection__reason" data-testid="lab-connection-reason">
            {connection.reason}
          </span>
        )}
      </td>
      <td className="lab-connection__endpoint">{connection.endpoint}</td>
      <td className="num" data-testid="lab-connection-received">
        {connection.messagesReceived}
      </td>
      <td>
        {connection.lastMessageAt === null ? (
          <span className="muted">{t('lab.connections.noMessage')}</span>
        ) : (
          <>
            <span>{formatTimeOrDateTime(connection.lastMessageAt, now)}</span> <span className="muted lab-connection__ago">{formatRelative(connection.lastMessageAt, now)}</span>
          </>
        )}
      </td>
      <td className="num" data-testid="lab-connection-failures">
        {connection.failures}
      </td>
    </tr>
  );
}
