import { EventEmitter } from 'node:events';

import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';

import type { InstanceRequest, InstanceResponse } from '../../../main/core/imaging/instance-access.js';

vi.mock('electron', () => ({}));

const { APP_SCHEME_PRIVILEGES } = await import('../../../main/electron/app-protocol.js');
const { DICOM_SCHEME_PRIVILEGES, createDicomRequestHandler, handleDicomProtocol, registerPrivilegedSchemes } = await import('../../../main/electron/dicom-protocol.js');
const { CoreSupervisor } = await import('../../../main/electron/core-supervisor.js');

const silent = pino({ level: 'silent' });
const STUDY = '1.2.826.0.1.3680043.8.498.1';
const SERIES = '1.2.826.0.1.3680043.8.498.2';
const SOP = '1.2.826.0.1.3680043.8.498.3';
const PART10 = new Uint8Array([0x44, 0x49, 0x43, 0x4d, 1, 2, 3]);

/** A reader that records its requests and returns `response`. */
function readerReturning(response: InstanceResponse) {
  const requests: InstanceRequest[] = [];
  const read = async (request: InstanceRequest) => {
    requests.push(request);
    return response;
  };
  return { read, requests };
}

describe('hms-dicom: scheme', () => {
  it('registers both schemes in one call', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() };

    registerPrivilegedSchemes(protocol);

    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([APP_SCHEME_PRIVILEGES, DICOM_SCHEME_PRIVILEGES]);
    expect(DICOM_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'hms-dicom', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } });
    expect(DICOM_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
  });

  it('installs its handler with protocol.handle', () => {
    const protocol = { handle: vi.fn() };

    handleDicomProtocol(protocol, readerReturning({ status: 200, bytes: PART10 }).read, silent);

    expect(protocol.handle).toHaveBeenCalledWith('hms-dicom', expect.any(Function));
  });

  it('returns the instance as application/dicom', async () => {
    const reader = readerReturning({ status: 200, bytes: PART10 });
    const handle = createDicomRequestHandler(reader.read, silent);

    const response = await handle(new Request(`hms-dicom://instances/${STUDY}/${SERIES}/${SOP}`));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/dicom');
    expect(response.headers.get('access-control-allow-origin')).toBe('app://workstation');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PART10);
    expect(reader.requests).toEqual([{ studyInstanceUid: STUDY, seriesInstanceUid: SERIES, sopInstanceUid: SOP }]);
  });

  it('passes on the core status', async () => {
    for (const status of [401, 404, 502, 504] as const) {
      const handle = createDicomRequestHandler(readerReturning({ status, error: `status ${status}` }).read, silent);

      const response = await handle(new Request(`hms-dicom://instances/${STUDY}/${SERIES}/${SOP}`));

      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { status, message: `status ${status}` } });
    }
  });

  it('rejects other hosts, paths and methods', async () => {
    const reader = readerReturning({ status: 200, bytes: PART10 });
    const handle = createDicomRequestHandler(reader.read, silent);

    expect((await handle(new Request(`hms-dicom://studies/${STUDY}/${SERIES}/${SOP}`))).status).toBe(404);
    expect((await handle(new Request(`hms-dicom://instances/${STUDY}/${SERIES}`))).status).toBe(404);
    expect((await handle(new Request(`hms-dicom://instances/${STUDY}/${SERIES}/${SOP}/frames`))).status).toBe(404);
    expect((await handle(new Request(`hms-dicom://instances/${STUDY}/${SERIES}/%E0%A4%A`))).status).toBe(404);
    expect((await handle(new Request(`hms-dicom://instances/${STUDY}/${SERIES}/${SOP}`, { method: 'POST', body: 'x' }))).status).toBe(405);
    expect(reader.requests).toEqual([]);
  });

  it('answers 502 when the reader throws', async () => {
    const handle = createDicomRequestHandler(async () => {
      throw new Error('disk failed');
    }, silent);

    const response = await handle(new Request(`hms-dicom://instances/${STUDY}/${SERIES}/${SOP}`));

    expect(response.status).toBe(502);
  });
});

/** A stand-in for the core's utility process that records the messages main posts to it. */
class FakeCoreProcess extends EventEmitter {
  readonly messages: unknown[] = [];
  readonly pid = 4242;
  postMessage(message: unknown): void {
    this.messages.push(message);
  }
  kill(): boolean {
    return true;
  }
}

describe('instance requests to the core process', () => {
  function startSupervisor(instanceTimeoutMs = 1_000) {
    const processes: FakeCoreProcess[] = [];
    const supervisor = new CoreSupervisor({
      electron: {
        fork: () => {
          const child = new FakeCoreProcess();
          processes.push(child);
          return child as never;
        },
        createChannel: () => ({ port1: {} as never, port2: {} as never }),
      },
      modulePath: '/app/core-process.js',
      init: () => ({ type: 'init', dataDirectory: '/data', logDirectory: '/data/logs', replicaKey: 'ab'.repeat(32), policy: {} }),
      logger: silent,
      instanceTimeoutMs,
    });
    supervisor.start();
    return { supervisor, child: processes[0] as FakeCoreProcess };
  }

  it('carries a request and its reply', async () => {
    const { supervisor, child } = startSupervisor();

    const pending = supervisor.readInstance({ studyInstanceUid: STUDY, seriesInstanceUid: SERIES, sopInstanceUid: SOP });
    const request = child.messages.at(-1) as { type: string; requestId: number };
    child.emit('message', { type: 'instance-result', requestId: request.requestId, status: 200, bytes: PART10 });

    expect(request).toMatchObject({ type: 'read-instance', studyInstanceUid: STUDY, seriesInstanceUid: SERIES, sopInstanceUid: SOP });
    expect(await pending).toEqual({ status: 200, bytes: PART10 });
    supervisor.stop();
  });

  it('passes on a 404 from the core', async () => {
    const { supervisor, child } = startSupervisor();

    const pending = supervisor.readInstance({ studyInstanceUid: STUDY, seriesInstanceUid: SERIES, sopInstanceUid: SOP });
    const { requestId } = child.messages.at(-1) as { requestId: number };
    child.emit('message', { type: 'instance-result', requestId, status: 404, error: 'not cached' });

    expect(await pending).toEqual({ status: 404, error: 'not cached' });
    supervisor.stop();
  });

  it('answers 502 when the core exits first', async () => {
    const { supervisor, child } = startSupervisor();

    const pending = supervisor.readInstance({ studyInstanceUid: STUDY, seriesInstanceUid: SERIES, sopInstanceUid: SOP });
    child.emit('exit', 1);

    expect((await pending).status).toBe(502);
    supervisor.stop();
  });

  it('answers 504 when the core stays silent', async () => {
    const { supervisor } = startSupervisor(20);

    const response = await supervisor.readInstance({ studyInstanceUid: STUDY, seriesInstanceUid: SERIES, sopInstanceUid: SOP });

    expect(response.status).toBe(504);
    supervisor.stop();
  });
});
