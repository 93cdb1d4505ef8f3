import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';

import type { BrowserHost } from '../../main/browser-host/browser-host.js';
import { startBrowserHost } from '../../main/browser-host/browser-host.js';
import type { Core, CoreOptions } from '../../main/core/core.js';
import { createCore } from '../../main/core/core.js';
import type { WorkstationSettings } from '../../main/core/settings.js';
import type { SyncServer } from '../../sync/server/app.js';
import { createServer } from '../../sync/server/app.js';
import { ensureRendererBuilt, launchChromium, RENDERER, SCREENSHOTS } from './browser.js';
import type { TestDatabase } from './postgres.js';
import { createTestDatabase } from './postgres.js';
import { makeTempDirectory } from './replica.js';

/** The e2e tests' connectivity probe: at most 1 s between probes, so that a test sees an outage quickly. */
const E2E_CONNECTIVITY = { minProbeIntervalMs: 200, maxProbeIntervalMs: 1_000 };

/** Core options besides the ones every workstation of a stack gets from the stack itself. */
export type WorkstationCoreOptions = Partial<Omit<CoreOptions, 'settings' | 'dataDirectory' | 'logger'>>;

/** What a workstation's settings and core options may depend on. */
export interface WorkstationContext {
  /** The URL the workstation syncs with. */
  serverUrl: string;
  /** The workstation's data folder. */
  dataDirectory: string;
}

export interface WorkstationOptions {
  serverUrl: string;
  dataDirectory: string;
  logger: Logger;
  /** The settings, without `serverUrl` (the stack adds it), or a function that builds them whole. */
  settings: Omit<WorkstationSettings, 'serverUrl'> | ((context: WorkstationContext) => WorkstationSettings);
  /**
   * Further core options, with `connectivity` at E2E_CONNECTIVITY unless set. A function runs before
   * each start of the core, for set-up that needs the data folder, such as a policy file.
   */
  core?: WorkstationCoreOptions | ((context: WorkstationContext) => WorkstationCoreOptions | Promise<WorkstationCoreOptions>);
  /** Serves DICOM instances to the viewer through the core's imaging cache; without it that route returns 404. */
  serveImaging?: boolean;
}

/** A workstation core and the browser host that serves its renderer. */
export interface Workstation {
  readonly core: Core;
  readonly host: BrowserHost;
  /** Closes the host and the core and starts both again with the same options and data folder, as a restart of the app. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a workstation core on `options.dataDirectory` and a browser host in front of it. */
export async function startWorkstation(options: WorkstationOptions): Promise<Workstation> {
  const context: WorkstationContext = { serverUrl: options.serverUrl, dataDirectory: options.dataDirectory };
  let core: Core | undefined;
  let host: BrowserHost | undefined;

  async function start(): Promise<void> {
    const settings = typeof options.settings === 'function' ? options.settings(context) : { ...options.settings, serverUrl: options.serverUrl };
    const extra = typeof options.core === 'function' ? await options.core(context) : (options.core ?? {});
    core = await createCore({ connectivity: E2E_CONNECTIVITY, ...extra, settings, dataDirectory: options.dataDirectory, logger: options.logger });
    host = await startBrowserHost({
      gateway: core.gateway,
      events: core.events,
      logger: options.logger,
      rendererDirectory: RENDERER,
      ...(options.serveImaging ? { readImagingInstance: core.imaging.readInstance } : {}),
    });
  }

  async function close(): Promise<void> {
    await host?.close();
    host = undefined;
    await core?.close();
    core = undefined;
  }

  await start();
  return {
    get core() {
      if (!core) throw new Error('The workstation core is closed; call restart() first');
      return core;
    },
    get host() {
      if (!host) throw new Error('The browser host is closed; call restart() first');
      return host;
    },
    async restart() {
      await close();
      await start();
    },
    close,
  };
}

export interface ReferenceServerOptions {
  /** Prefix of the PostgreSQL test database's name. */
  name: string;
  /** `postgresql` uses a new database on the tests' PostgreSQL (see postgres.ts); `pglite` keeps the data in a folder below `directory`. */
  database: 'postgresql' | 'pglite';
  /** Folder for the PGlite data; required with `pglite`. */
  directory?: string;
  logger: Logger;
  /** The server's clock, for token expiry and the seed. */
  now?: () => Date;
}

/** The seeded reference server, which a test may stop and start again on the same port and data. */
export interface ReferenceServer {
  readonly server: SyncServer;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<SyncServer>;
  /** Stops the server and drops its PostgreSQL database. */
  close(): Promise<void>;
}

/** Creates the test database and starts the reference server on a free port of 127.0.0.1 with the demo seed. */
export async function startReferenceServer(options: ReferenceServerOptions): Promise<ReferenceServer> {
  if (options.database === 'pglite' && options.directory === undefined) throw new Error('A PGlite reference server needs options.directory for its data; pass a temporary folder');
  const database: TestDatabase | undefined = options.database === 'postgresql' ? await createTestDatabase(options.name.replaceAll('-', '_')) : undefined;
  const storage = database ? { databaseUrl: database.url } : { dataDir: join(options.directory as string, 'server') };
  let port = 0;
  let server: SyncServer | undefined;

  async function start(): Promise<SyncServer> {
    if (server) throw new Error(`The reference server is already running on ${server.url}; call stop() first`);
    server = await createServer({ port, ...storage, seed: true, logger: options.logger, ...(options.now ? { now: options.now } : {}) });
    port = Number(new URL(server.url).port);
    return server;
  }

  async function stop(): Promise<void> {
    const running = server;
    server = undefined;
    await running?.close();
  }

  try {
    await start();
  } catch (error) {
    await database?.drop();
    throw error;
  }
  const url = (server as SyncServer).url;
  return {
    get server() {
      if (!server) throw new Error('The reference server is stopped; call start() first');
      return server;
    },
    url,
    stop,
    start,
    async close() {
      await stop();
      await database?.drop();
    },
  };
}

export interface WorkstationStackOptions {
  /** Names the temporary folder and the test database. */
  name: string;
  /** The reference server's database; see ReferenceServerOptions. */
  database: 'postgresql' | 'pglite';
  /** The reference server's clock, for token expiry and the seed. */
  serverNow?: () => Date;
  /** Runs after the server starts and before the core does, for server data the core reads at start, such as a ward configuration. */
  beforeWorkstation?: (server: SyncServer) => Promise<unknown>;
  settings: WorkstationOptions['settings'];
  core?: WorkstationOptions['core'];
  serveImaging?: boolean;
  viewport: { width: number; height: number };
}

/**
 * The whole e2e set-up of one workstation: database, reference server, core, browser host and a
 * Chromium page. `server`, `core` and `host` are read through getters because a test may stop and
 * start the server or restart the workstation.
 */
export interface WorkstationStack {
  readonly server: SyncServer;
  readonly core: Core;
  readonly host: BrowserHost;
  readonly browser: Browser;
  readonly page: Page;
  /** The workstation's data folder. */
  readonly dataDirectory: string;
  /** Stops the reference server, as an outage of the central server. */
  stopServer(): Promise<void>;
  /** Starts the reference server again on its first port, with the same data. */
  startServer(): Promise<SyncServer>;
  restartWorkstation(): Promise<void>;
  /** Closes Chromium, the host, the core and the server, drops the database and removes the temporary folder. */
  close(): Promise<void>;
}

/** Starts a WorkstationStack; on a failure part-way it closes what it started and rethrows. */
export async function startWorkstationStack(options: WorkstationStackOptions): Promise<WorkstationStack> {
  ensureRendererBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const logger = pino({ level: 'silent' });
  const temporary = makeTempDirectory(options.name);
  const dataDirectory = join(temporary.path, 'workstation');
  let reference: ReferenceServer | undefined;
  let workstation: Workstation | undefined;
  let browser: Browser | undefined;

  async function close(): Promise<void> {
    await browser?.close();
    await workstation?.close();
    await reference?.close();
    temporary.remove();
  }

  try {
    reference = await startReferenceServer({ name: options.name, database: options.database, directory: temporary.path, logger, ...(options.serverNow ? { now: options.serverNow } : {}) });
    await options.beforeWorkstation?.(reference.server);
    workstation = await startWorkstation({
      serverUrl: reference.url,
      dataDirectory,
      logger,
      settings: options.settings,
      ...(options.core ? { core: options.core } : {}),
      ...(options.serveImaging ? { serveImaging: true } : {}),
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: options.viewport });
    const started = { reference, workstation, browser };
    return {
      get server() {
        return started.reference.server;
      },
      get core() {
        return started.workstation.core;
      },
      get host() {
        return started.workstation.host;
      },
      browser,
      page,
      dataDirectory,
      stopServer: () => started.reference.stop(),
      startServer: () => started.reference.start(),
      restartWorkstation: () => started.workstation.restart(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Signs in on the sign-in screen by typing into its fields and pressing its button. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('signin-username').fill(username);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
}
