import { z } from 'zod';

/**
 * Connection settings of the three transports, as zod schemas so that an analyzer profile, a policy
 * file and a test all validate them the same way. Every default is written here once.
 */

export const reconnectSettingsSchema = z
  .strictObject({
    /** Wait before the first reopen, in milliseconds; each further attempt doubles it. */
    initialDelayMs: z.int({ error: 'must be a whole number of milliseconds, such as 1000' }).min(10).max(600_000).default(1_000),
    /** Upper bound of the wait between attempts, in milliseconds. */
    maxDelayMs: z.int({ error: 'must be a whole number of milliseconds, such as 30000' }).min(10).max(3_600_000).default(30_000),
  })
  .refine((value) => value.maxDelayMs >= value.initialDelayMs, {
    error: 'maxDelayMs must be at least initialDelayMs',
    path: ['maxDelayMs'],
  });

const reconnect = reconnectSettingsSchema.default({ initialDelayMs: 1_000, maxDelayMs: 30_000 });

/** Line settings of a serial port: what the analyzer's LIS interface menu shows. */
export const serialLineSettingsShape = {
  baudRate: z.int({ error: 'must be a whole number of bits per second, such as 9600' }).min(50).max(4_000_000),
  dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)], { error: 'must be 5, 6, 7 or 8' }).default(8),
  parity: z.enum(['none', 'even', 'odd', 'mark', 'space'], { error: 'must be "none", "even", "odd", "mark" or "space"' }).default('none'),
  stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)], { error: 'must be 1, 1.5 or 2' }).default(1),
  /** Hardware handshake (RTS/CTS), software handshake (XON/XOFF) or none. */
  flowControl: z.enum(['none', 'rts-cts', 'xon-xoff'], { error: 'must be "none", "rts-cts" or "xon-xoff"' }).default('none'),
  /**
   * Raise DTR after opening. Many analyzers send nothing until the host asserts DTR. A port that
   * cannot set it (a virtual or pty port) logs a warning and stays open.
   */
  assertDtr: z.boolean({ error: 'must be true or false' }).default(true),
};

const portPath = z.string({ error: 'must be the port name, such as "COM3" or "/dev/ttyUSB0"' }).min(1, { error: 'must not be empty; set the port name, such as "COM3" or "/dev/ttyUSB0"' });

export const serialSettingsSchema = z.strictObject({
  kind: z.literal('serial'),
  /** The port on this workstation: `COM3` on Windows, `/dev/ttyUSB0` or a stable `/dev/serial/by-id/…` link on Linux. */
  path: portPath,
  ...serialLineSettingsShape,
  reconnect,
});

const host = z.string({ error: 'must be a host name or IP address, such as "10.1.20.31"' }).min(1, { error: 'must not be empty' });
const tcpPort = z.int({ error: 'must be a TCP port number from 1 to 65535' }).min(1).max(65_535);

export const tcpClientSettingsSchema = z.strictObject({
  kind: z.literal('tcp-client'),
  /** The analyzer's address: the workstation connects to it. */
  host,
  port: tcpPort,
  /** Give up one connection attempt after this many milliseconds and retry later. */
  connectTimeoutMs: z.int().min(100).max(300_000).default(10_000),
  /** TCP keep-alive probe delay, in milliseconds, so that a pulled cable is noticed without traffic. */
  keepAliveMs: z.int().min(1_000).max(3_600_000).default(30_000),
  reconnect,
});

export const tcpServerSettingsSchema = z.strictObject({
  kind: z.literal('tcp-server'),
  /**
   * Local address to listen on. The default accepts connections from this machine only; set the
   * address of the network card that faces the analyzer (or "0.0.0.0") to accept it.
   */
  host: host.default('127.0.0.1'),
  /** Local port the analyzer connects to; 0 picks a free port (tests only). */
  port: z.int({ error: 'must be a TCP port number from 0 to 65535' }).min(0).max(65_535),
  /**
   * One analyzer conversation at a time. When a second connection arrives while one is active,
   * `reject-new` closes the newcomer and `replace-old` closes the old one, which suits analyzers
   * that reconnect after a cable fault while the old socket is still half open.
   */
  whenBusy: z.enum(['reject-new', 'replace-old'], { error: 'must be "reject-new" or "replace-old"' }).default('reject-new'),
  /** Remote addresses allowed to connect; an empty list allows any. */
  allowedAddresses: z.array(z.string().min(1)).default([]),
  keepAliveMs: z.int().min(1_000).max(3_600_000).default(30_000),
  /** Backoff of new attempts to listen when the port cannot be bound (for example, still in use). */
  reconnect,
});

export const transportSettingsSchema = z.discriminatedUnion('kind', [serialSettingsSchema, tcpClientSettingsSchema, tcpServerSettingsSchema], {
  error: 'must be "serial", "tcp-client" or "tcp-server"',
});

/** Settings as written in a profile or policy file: defaults may be left out. */
export type TransportSettingsInput = z.input<typeof transportSettingsSchema>;
/** Settings with every default filled in. */
export type TransportSettings = z.output<typeof transportSettingsSchema>;
export type SerialSettings = z.output<typeof serialSettingsSchema>;
export type TcpClientSettings = z.output<typeof tcpClientSettingsSchema>;
export type TcpServerSettings = z.output<typeof tcpServerSettingsSchema>;
export type ReconnectSettings = z.output<typeof reconnectSettingsSchema>;
