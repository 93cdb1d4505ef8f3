/**
 * The input report in which a HID POS barcode scanner (USB HID usage page 0x8C, Barcode Scanner)
 * sends what it decoded. Scanners that follow the HID Point of Sale Usage Tables send a Scanned
 * Data Report of 64 bytes with report ID 0x02:
 *
 * | bytes | content |
 * |---|---|
 * | 0 | report ID, 0x02 |
 * | 1 | number of data bytes in this report, 0 to 56 |
 * | 2 to 4 | the AIM symbology identifier, such as `]C1`, or zeros when the scanner sends none |
 * | 5 to 60 | the data, padded with zeros |
 * | 61, 62 | vendor bytes (Honeywell sends its own code ID in byte 61) |
 * | 63 | 1 when more reports of the same scan follow, 0 in the last one |
 *
 * A barcode longer than 56 bytes comes in several reports, each with the same identifier. The
 * layout is that of the reports a Honeywell Voyager 1602g sent in HID POS mode, recorded in
 * test/fixtures/hid-pos/SOURCES.md.
 */

export const HID_POS_USAGE_PAGE = 0x8c;
export const SCANNED_DATA_REPORT_ID = 0x02;
export const SCANNED_DATA_REPORT_LENGTH = 64;
export const MAX_DATA_PER_REPORT = 56;

const LENGTH_OFFSET = 1;
const SYMBOLOGY_OFFSET = 2;
const DATA_OFFSET = 5;
const CONTINUATION_OFFSET = 63;

export interface ScannedDataFragment {
  /** The AIM symbology identifier as sent, or null when the scanner sent zeros. */
  symbologyIdentifier: string | null;
  data: Buffer;
  /** True when another report of the same scan follows. */
  more: boolean;
}

export type ReportReading =
  | { kind: 'fragment'; fragment: ScannedDataFragment }
  /** Another report of the device, such as a status report, which carries no scan. */
  | { kind: 'other'; reportId: number }
  | { kind: 'invalid'; reason: string };

/**
 * Reads one input report as node-hid returns it, with the report ID in the first byte. It never
 * throws: a report that breaks the layout gives the reason, for the log.
 */
export function readScannedDataReport(report: Uint8Array): ReportReading {
  if (report.length === 0) return { kind: 'invalid', reason: 'the report is empty' };
  const reportId = report[0] ?? 0;
  if (reportId !== SCANNED_DATA_REPORT_ID) return { kind: 'other', reportId };
  if (report.length < SCANNED_DATA_REPORT_LENGTH) {
    return { kind: 'invalid', reason: `the scanned data report has ${report.length} bytes, expected ${SCANNED_DATA_REPORT_LENGTH}` };
  }

  const length = report[LENGTH_OFFSET] ?? 0;
  if (length > MAX_DATA_PER_REPORT) {
    return { kind: 'invalid', reason: `the scanned data report gives ${length} data bytes, more than the ${MAX_DATA_PER_REPORT} it can carry` };
  }
  const bytes = Buffer.from(report.buffer, report.byteOffset, report.length);
  return {
    kind: 'fragment',
    fragment: {
      symbologyIdentifier: readSymbologyIdentifier(bytes.subarray(SYMBOLOGY_OFFSET, DATA_OFFSET)),
      data: Buffer.from(bytes.subarray(DATA_OFFSET, DATA_OFFSET + length)),
      more: (report[CONTINUATION_OFFSET] ?? 0) === 1,
    },
  };
}

/**
 * Reads the three identifier bytes. The HID POS tables define them as three Symbology Identifier
 * fields rather than as the AIM string, so a `]` flag character is added when the scanner leaves
 * it out, for the parser to read the identifier.
 */
function readSymbologyIdentifier(bytes: Buffer): string | null {
  if (bytes.every((byte) => byte === 0)) return null;
  const text = bytes.toString('latin1').replace(/\0+$/, '');
  return text.startsWith(']') ? text : `]${text}`;
}
