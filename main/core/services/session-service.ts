import { HmsApiError } from '../../../preload/api/errors.js';
import type { SessionInfo, SignInInput } from '../../../preload/api/schemas.js';
import type { ServerClient } from '../../../sync/client/server-client.js';
import { ServerAuthError, ServerProtocolError, ServerUnreachableError } from '../../../sync/client/server-client.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import type { WorkstationSettings } from '../settings.js';

export interface SessionServiceOptions {
  server: ServerClient;
  settings: WorkstationSettings;
  clock: Clock;
  logger: Logger;
  /** Called with the server's token after every successful sign-in, to (re)start replication. */
  onSignedIn: (token: string) => Promise<void>;
  onSignedOut: () => void;
}

/**
 * The workstation's one signed-in session. Sign-in goes to the central server, which checks the
 * password and returns the user's roles and a sync token scoped to this workstation's ward.
 */
export class SessionService {
  #session: SessionInfo | null = null;

  constructor(private readonly options: SessionServiceOptions) {}

  current(): SessionInfo | null {
    return this.#session;
  }

  async signIn(input: SignInInput): Promise<SessionInfo> {
    const { server, settings, logger } = this.options;
    let response;
    try {
      response = await server.signIn({ ...input, workstationId: settings.workstationId, wardId: settings.wardId });
    } catch (error) {
      if (error instanceof ServerAuthError) {
        logger.warn('sign-in rejected by the central server');
        throw new HmsApiError({ code: 'unauthenticated', message: 'Username or password is incorrect' });
      }
      if (error instanceof ServerUnreachableError) {
        logger.warn({ reason: error.message }, 'sign-in failed: central server unreachable');
        throw new HmsApiError({
          code: 'unavailable',
          message: 'The central server is unreachable and offline sign-in is not available yet; try again when the network is back',
        });
      }
      if (error instanceof ServerProtocolError) {
        logger.error({ reason: error.message }, 'sign-in rejected by the central server');
        throw new HmsApiError({ code: 'unavailable', message: `The central server rejected the sign-in: ${error.message}. Ask IT to check this workstation's ward setting` });
      }
      throw error;
    }

    // A new sign-in replaces any previous session on this workstation.
    this.#session = {
      user: response.user,
      ward: response.ward,
      workstationId: settings.workstationId,
      signedInAt: this.options.clock.now().toISOString(),
    };
    logger.info({ userId: response.user.id, roles: response.user.roles, wardId: response.ward.id }, 'signed in');
    await this.options.onSignedIn(response.token);
    return this.#session;
  }

  signOut(): null {
    if (this.#session) this.options.logger.info({ userId: this.#session.user.id }, 'signed out');
    this.#session = null;
    this.options.onSignedOut();
    return null;
  }
}
