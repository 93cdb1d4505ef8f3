import { createHash } from 'node:crypto';

import dicomParser from 'dicom-parser';

/**
 * Relabels a DICOM Part 10 file: new values for top-level string attributes (patient, UIDs,
 * dates, numbers, positions) and a new File Meta Information group. Every other element is
 * copied byte for byte, pixel data included, so compressed images stay as they were.
 *
 * Only little endian transfer syntaxes are written (implicit, explicit, and the encapsulated
 * ones, which are explicit VR little endian). Big endian and deflated files are rejected.
 */

/** A new value of one attribute, by tag (`x00100020`) with its VR. Multiple values are joined by `\`. */
export interface AttributeValue {
  vr: 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'IS' | 'LO' | 'PN' | 'SH' | 'TM' | 'UI';
  value: string;
}

export interface RelabelOptions {
  /** Attributes to set, by tag; an attribute the file lacks is inserted in tag order. */
  attributes: Record<string, AttributeValue>;
  /** Changes the native (not encapsulated) pixel data in place, such as shifting rows for a synthetic slice. */
  transformPixels?: (pixels: Uint8Array) => void;
}

const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
const UNSUPPORTED_TRANSFER_SYNTAXES = new Set(['1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);
/** Implementation Class UID of files this tool writes: a UUID-derived UID (ISO/IEC 9834-8, root 2.25). */
const IMPLEMENTATION_CLASS_UID = uidFromName('hms-workstation dicom-relabel');
const IMPLEMENTATION_VERSION = 'HMS_RELABEL_1';
const PREAMBLE_BYTES = 128;

/**
 * Returns a UID derived from `name` under the 2.25 root (a UUID written as one decimal number), so
 * the same name always gives the same UID and a reloaded demo PACS answers AlreadyStored.
 */
export function uidFromName(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  // 122 bits of the digest, as in a version 4 UUID, keep the UID under 64 characters.
  const value = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`) >> 6n;
  return `2.25.${value.toString(10)}`;
}

export function relabelDicom(bytes: Uint8Array, options: RelabelOptions): Uint8Array {
  const dataset = dicomParser.parseDicom(bytes);
  const transferSyntax = dataset.string('x00020010');
  if (!transferSyntax) throw new Error('The file has no Transfer Syntax UID (0002,0010) in its File Meta Information; it cannot be relabelled');
  if (UNSUPPORTED_TRANSFER_SYNTAXES.has(transferSyntax)) throw new Error(`Transfer syntax ${transferSyntax} is not supported for relabelling; convert the file to explicit VR little endian first`);
  const explicit = transferSyntax !== IMPLICIT_VR_LITTLE_ENDIAN;

  const sopClassUid = options.attributes.x00080016?.value ?? dataset.string('x00080016') ?? dataset.string('x00020002');
  const sopInstanceUid = options.attributes.x00080018?.value ?? dataset.string('x00080018');
  if (!sopClassUid || !sopInstanceUid) throw new Error('The file has no SOP Class UID or SOP Instance UID; it cannot be relabelled');

  // Each top-level element runs from the end of the one before it, which covers its header.
  const ordered = Object.values(dataset.elements).sort((a, b) => a.dataOffset - b.dataOffset);
  const spans: { tag: string; bytes: Uint8Array }[] = [];
  let start = PREAMBLE_BYTES + 4;
  for (const element of ordered) {
    const end = element.dataOffset + element.length;
    if (!element.tag.startsWith('x0002')) {
      const span = bytes.slice(start, end);
      if (element.tag === 'x7fe00010' && options.transformPixels && !element.encapsulatedPixelData) {
        options.transformPixels(span.subarray(element.dataOffset - start));
      }
      spans.push({ tag: element.tag, bytes: span });
    }
    start = end;
  }

  const replaced = new Map(Object.entries(options.attributes).map(([tag, attribute]) => [tag.toLowerCase(), encodeElement(tag, attribute, explicit)]));
  const merged = spans.map((span) => ({ tag: span.tag, bytes: replaced.get(span.tag) ?? span.bytes }));
  for (const [tag, encoded] of replaced) if (!spans.some((span) => span.tag === tag)) merged.push({ tag, bytes: encoded });
  merged.sort((a, b) => tagNumber(a.tag) - tagNumber(b.tag));

  const meta = fileMetaInformation(sopClassUid, sopInstanceUid, transferSyntax);
  const header = new Uint8Array(PREAMBLE_BYTES + 4);
  header.set(Buffer.from('DICM', 'latin1'), PREAMBLE_BYTES);
  return Buffer.concat([header, meta, ...merged.map((part) => part.bytes)]);
}

/** The File Meta Information group, always explicit VR little endian, with its group length. */
function fileMetaInformation(sopClassUid: string, sopInstanceUid: string, transferSyntax: string): Uint8Array {
  const versionHeader = Buffer.alloc(12);
  writeTag(versionHeader, 0, 'x00020001');
  versionHeader.write('OB', 4, 'latin1');
  versionHeader.writeUInt32LE(2, 8);
  const elements = Buffer.concat([
    versionHeader,
    Buffer.from([0x00, 0x01]),
    encodeElement('x00020002', { vr: 'UI', value: sopClassUid }, true),
    encodeElement('x00020003', { vr: 'UI', value: sopInstanceUid }, true),
    encodeElement('x00020010', { vr: 'UI', value: transferSyntax }, true),
    encodeElement('x00020012', { vr: 'UI', value: IMPLEMENTATION_CLASS_UID }, true),
    encodeElement('x00020013', { vr: 'SH', value: IMPLEMENTATION_VERSION }, true),
  ]);
  const groupLength = Buffer.alloc(12);
  writeTag(groupLength, 0, 'x00020000');
  groupLength.write('UL', 4, 'latin1');
  groupLength.writeUInt16LE(4, 6);
  groupLength.writeUInt32LE(elements.length, 8);
  return Buffer.concat([groupLength, elements]);
}

/** Encodes a string element; UI values are padded with NUL, the others with a space, to an even length. */
function encodeElement(tag: string, attribute: AttributeValue, explicit: boolean): Uint8Array {
  let value = attribute.value;
  if (value.length % 2 === 1) value += attribute.vr === 'UI' ? '\0' : ' ';
  const valueBytes = Buffer.from(value, 'latin1');
  if (valueBytes.length > 0xfffe) throw new Error(`The value of ${tag} is ${valueBytes.length} bytes, more than a ${attribute.vr} element holds`);
  const header = Buffer.alloc(8);
  writeTag(header, 0, tag);
  if (explicit) {
    header.write(attribute.vr, 4, 'latin1');
    header.writeUInt16LE(valueBytes.length, 6);
  } else {
    header.writeUInt32LE(valueBytes.length, 4);
  }
  return Buffer.concat([header, valueBytes]);
}

function writeTag(buffer: Buffer, offset: number, tag: string): void {
  const number = tagNumber(tag);
  buffer.writeUInt16LE(number >>> 16, offset);
  buffer.writeUInt16LE(number & 0xffff, offset + 2);
}

function tagNumber(tag: string): number {
  return Number.parseInt(tag.slice(1), 16);
}
