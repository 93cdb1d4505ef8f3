import type { AstmFrameError, AstmLinkError, AstmLinkOptions, AstmLinkWarning } from '../../../../../devices/astm/index.js';
import { AstmLink } from '../../../../../devices/astm/index.js';
import type { Transport } from '../../../../../devices/transport/index.js';
import { Recorder } from './recorder.js';

/**
 * The LIS side of an ASTM connection, wired as the workstation wires it: the transport feeds an
 * AstmLink in the host role, the link's writes go back out, and a lost connection resets the link.
 * Everything the link reports is recorded.
 */
export class AstmTestHost {
  readonly link: AstmLink;
  /** Texts of the messages delivered (records ended by CR), as Latin-1 strings. */
  readonly messages = new Recorder<string>();
  readonly failures = new Recorder<AstmLinkError>();
  readonly rejections = new Recorder<AstmFrameError>();
  readonly warnings = new Recorder<AstmLinkWarning>();

  constructor(
    readonly transport: Transport,
    options: AstmLinkOptions = {},
  ) {
    this.link = new AstmLink({ role: 'host', ...options });
    transport.on('data', (chunk) => this.link.receive(chunk));
    transport.on('state', (change) => {
      if (change.previous === 'open' && change.state !== 'open') this.link.reset();
    });
    this.link.on('write', (bytes) => {
      // A write after the connection dropped fails; the state change above resets the link.
      transport.write(bytes).catch(() => undefined);
    });
    this.link.on('message', (message) => this.messages.push(message.text.toString('latin1')));
    this.link.on('transferFailed', (error) => this.failures.push(error));
    this.link.on('frameRejected', (error) => this.rejections.push(error));
    this.link.on('warning', (warning) => this.warnings.push(warning));
  }

  /** Failures of transfers the simulator sent to this host (inbound for the host). */
  inboundFailures(): AstmLinkError[] {
    return this.failures.items.filter((failure) => failure.direction === 'receive');
  }
}
