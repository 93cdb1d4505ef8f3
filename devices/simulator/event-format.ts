import type { SimulatorEvent } from './events.js';

export interface EventFormatOptions {
  /** Also list ACKed frames, connection attempts and the start of each attempt. */
  verbose?: boolean;
}

const FORMAT_NAMES = {
  'astm-frames': 'ASTM frames',
  'astm-records': 'ASTM records, one per line',
  'hl7-mllp': 'HL7 MLLP blocks',
  'hl7-segments': 'HL7 segments, one per line',
} as const;

/** Formats an event as one line for a person; undefined for events shown only with `verbose`. */
export function formatEvent(event: SimulatorEvent, options: EventFormatOptions = {}): string | undefined {
  const verbose = options.verbose ?? false;

  switch (event.type) {
    case 'capture': {
      const notes = event.notes.map((note) => `\n  note: ${note}`).join('');
      const total = Number.isFinite(event.totalMessages) ? `${event.totalMessages} to send` : 'sent until stopped';
      return `capture: ${event.messages} message(s) read as ${FORMAT_NAMES[event.format]}${event.escapedLog ? ' from an escaped log' : ''}, ${total}${notes}`;
    }
    case 'connecting':
      return `connecting: ${event.transport} ${event.endpoint}`;
    case 'listening':
      return `listening on ${event.address}:${event.port}; waiting for the host to connect`;
    case 'connection':
      return verbose || event.state === 'open' || event.state === 'failed' ? `connection ${event.state}: ${event.reason}` : undefined;
    case 'message-started': {
      if (!verbose && event.attempt === 1) return undefined;
      const size = event.frames === undefined ? `${event.bytes} bytes` : `${event.bytes} bytes in ${event.frames} frame(s)`;
      const id = event.controlId === undefined ? '' : `, MSH-10 ${event.controlId}`;
      return `message ${event.message}: attempt ${event.attempt} (capture message ${event.captureMessage}, ${size}${id})`;
    }
    case 'frame-replied':
      return verbose || event.reply !== 'ACK' ? `message ${event.message}: host answered ${event.reply} to frame ${event.frame} of ${event.frames} (transmission ${event.attempt})` : undefined;
    case 'fault-injected':
      return `message ${event.message}: fault ${event.fault} injected: ${event.detail}`;
    case 'fault-outcome':
      return `message ${event.message}: fault ${event.fault} outcome ${event.expected ? 'as expected' : 'NOT AS EXPECTED'}; host's answer: ${event.hostAnswer}; ${event.detail}`;
    case 'link-warning':
      return `link warning ${event.code}: ${event.detail}`;
    case 'message-accepted':
      return `message ${event.message}: accepted${event.ackCode === undefined ? '' : ` (${event.ackCode})`}${event.attempt > 1 ? ` on attempt ${event.attempt}` : ''}`;
    case 'message-failed':
      return `message ${event.message}: NOT ACCEPTED on attempt ${event.attempt} (${event.reason}): ${event.detail}${event.willResend ? '; sending it again' : ''}`;
    case 'host-message': {
      const content = event.messageType ?? (event.frames === undefined ? 'a message' : `a message in ${event.frames} frame(s)`);
      const id = event.controlId === undefined ? '' : ` (MSH-10 ${event.controlId})`;
      return `host sent ${content}${id}, ${event.bytes} bytes${event.answered === undefined ? '' : `; answered ${event.answered}`}`;
    }
    case 'host-transfer-failed':
      return `host transfer failed (${event.code}): ${event.detail}`;
    case 'late-ack':
      return `message ${event.message}: host answered ${event.ackCode} late: ${event.detail}`;
    case 'unmatched-ack':
      return `host sent ${event.ackCode} for MSH-10 ${event.controlId || '(empty)'}, which matches no message waiting for an ACK`;
    case 'connection-failed':
      return `connection failed: ${event.detail}`;
    case 'finished': {
      const faults = event.faults === 0 ? '' : `; ${event.faults} fault(s) injected, ${event.unexpectedFaultOutcomes} with an unexpected outcome`;
      return `finished: ${event.sent} sent, ${event.accepted} accepted, ${event.failed} not accepted${faults}${event.stopped ? '; stopped before the end' : ''}`;
    }
  }
}
