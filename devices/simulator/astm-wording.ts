import type { AstmLinkError, AstmLinkWarning } from '../astm/index.js';

/**
 * Words AstmLink's reports from the simulator's side. The link's own messages call the other end
 * "the analyzer", which in the simulator is the host, so the reports that name it are written
 * again here; the others pass through unchanged.
 */
export function describeLinkWarning(warning: AstmLinkWarning, timing: { busyRetryDelayMs: number; contentionRetryDelayMs: number }): string {
  switch (warning.code) {
    case 'receiver-busy':
      return `the host answered our ENQ with NAK (busy); the next ENQ follows in ${timing.busyRetryDelayMs} ms`;
    case 'receiver-interrupt':
      return 'the host answered a frame with EOT (receiver interrupt); the frame counts as ACKed';
    case 'contention':
      return `both sides sent ENQ; the simulator, as the instrument, ignores the host's ENQ and sends its own again in ${timing.contentionRetryDelayMs} ms`;
    case 'frame-outside-transfer':
      return 'a frame from the host arrived without an ENQ first and was ignored';
    case 'enq-during-transfer':
      return 'the host sent ENQ before the EOT of its open transfer and started over';
    default:
      return warning.message;
  }
}

/** Describes why a transfer from the host to the simulator was discarded. */
export function describeHostTransferFailure(error: AstmLinkError): string {
  const discarded = `its ${error.discardedFrames} accepted frame(s) were discarded`;
  switch (error.code) {
    case 'interrupted-by-eot':
      return `the host ended its transfer with EOT before its message was complete; ${discarded}`;
    case 'interrupted-by-enq':
      return `the host started a new transfer before its message was complete; ${discarded}`;
    case 'receive-timeout':
      return `the host sent no frame or EOT within the receive timeout while its message was incomplete; ${discarded}`;
    case 'too-many-rejected-frames':
      return `the simulator rejected the host's frame too many times in a row; ${discarded}`;
    default:
      return `the connection was lost or the simulator stopped while the host's message was incomplete; ${discarded}`;
  }
}
