import type { AnalyzerProfile } from '../../profiles/index.js';
import type { MappingContext } from '../../results/index.js';
import { mapAstmMessage, mapHl7Message } from '../../results/index.js';
import type { AstmCapture, AstmCaptureSettings } from './astm-capture.js';
import { readAstmFrameCapture, readAstmRecordCapture } from './astm-capture.js';
import { detectFraming } from './capture-kind.js';
import type { Hl7Capture } from './hl7-capture.js';
import { readHl7TextCapture, readMllpCapture } from './hl7-capture.js';
import type { ProfileChoice } from './profile-choice.js';
import { chooseShippedProfile } from './profile-choice.js';
import type { InspectReport, MessageReport } from './report.js';
import { IssueList } from './report.js';

export interface InspectOptions {
  /** The file name shown in the report. */
  readonly file: string;
  /** The profile `--profile` named; without one the shipped profile that fits is chosen. */
  readonly profile?: AnalyzerProfile;
  readonly timeZone: string;
}

/** A `--profile` that cannot apply to the capture: the command exits with status 2. */
export class ProfileMismatchError extends Error {
  override readonly name = 'ProfileMismatchError';
}

const DEFAULT_ASTM_SETTINGS: AstmCaptureSettings = { acceptOversizedFrames: true, encoding: 'latin1' };

/** Decodes a capture and reports everything the workstation would make of it. Reads no files and writes nothing. */
export function inspectCapture(bytes: Uint8Array, options: InspectOptions): InspectReport {
  const framing = detectFraming(bytes);
  const base = { file: options.file, bytes: bytes.length, framing, timeZone: options.timeZone };

  if (framing === 'unknown') {
    const issues = new IssueList();
    issues.error({
      code: 'unknown-capture',
      message: 'The capture format is not recognized: it is neither ASTM (frames with STX, or records starting with H|) nor HL7 (MLLP blocks, or messages starting with MSH|). Check that the file contains the bytes the analyzer sent, not a log that writes them as text',
      offset: 0,
    });
    return { ...base, protocol: 'unknown', profile: null, valid: false, messages: [], ...issues.sorted() };
  }

  const protocol = framing === 'mllp' || framing === 'hl7-text' ? 'hl7' : 'astm';
  const profileProtocol = protocol === 'astm' ? 'astm-e1381' : 'hl7-mllp';
  if (options.profile && options.profile.protocol.name !== profileProtocol) {
    throw new ProfileMismatchError(
      `--profile ${options.profile.id} is for ${options.profile.protocol.name} but the capture is ${protocol === 'astm' ? 'ASTM' : 'HL7'}: give the profile of the analyzer that made the capture, or leave --profile out`,
    );
  }

  const inspected = protocol === 'astm' ? inspectAstm(bytes, framing === 'astm-frames', options) : inspectHl7(bytes, framing === 'mllp', options);
  const { issues, choice, capture, messages } = inspected;
  if (choice.reason) issues.warning({ code: choice.reason.code, message: choice.reason.message });

  const sorted = issues.sorted();
  return {
    ...base,
    protocol,
    profile: options.profile ? { id: options.profile.id, chosenBy: 'argument' } : choice.profile ? { id: choice.profile.id, chosenBy: 'test-codes' } : null,
    valid: sorted.errors.length === 0,
    ...('frames' in capture && capture.frames ? { frames: capture.frames } : {}),
    ...('transfers' in capture && capture.transfers ? { transfers: capture.transfers } : {}),
    ...('blocks' in capture && capture.blocks ? { blocks: capture.blocks } : {}),
    messages,
    ...sorted,
  };
}

interface Inspected {
  readonly issues: IssueList;
  readonly choice: ProfileChoice;
  readonly capture: AstmCapture | Hl7Capture;
  readonly messages: MessageReport[];
}

function inspectAstm(bytes: Uint8Array, framed: boolean, options: InspectOptions): Inspected {
  const read = (settings: AstmCaptureSettings): { issues: IssueList; capture: AstmCapture } => {
    const issues = new IssueList();
    return { issues, capture: framed ? readAstmFrameCapture(bytes, settings, issues) : readAstmRecordCapture(bytes, settings, issues) };
  };

  let { issues, capture } = read(options.profile ? astmSettingsOf(options.profile) : DEFAULT_ASTM_SETTINGS);
  let choice: ProfileChoice = options.profile ? { profile: options.profile } : {};
  if (!options.profile) {
    const testIds = capture.messages.flatMap(({ message }) => message.recordsOfType('R').map((record) => record.field(3).components));
    const sender = capture.messages.map(({ message }) => message.header.field(5).repeats.flat().join(' ')).join(' ');
    choice = chooseShippedProfile('astm-e1381', testIds, sender);
    // A profile that changes how frames are accepted or text is decoded changes what was read.
    const settings = choice.profile ? astmSettingsOf(choice.profile) : DEFAULT_ASTM_SETTINGS;
    if (settings.acceptOversizedFrames !== DEFAULT_ASTM_SETTINGS.acceptOversizedFrames || settings.encoding !== DEFAULT_ASTM_SETTINGS.encoding) {
      ({ issues, capture } = read(settings));
    }
  }

  const messages = capture.messages.map((parsed, index): MessageReport => ({
    index,
    offset: parsed.offset,
    controlId: parsed.message.header.value(3),
    records: parsed.records,
    results: mapAstmMessage(parsed.message, contextOf(parsed.raw, parsed.part, choice.profile, options.timeZone)),
  }));
  return { issues, choice, capture, messages };
}

function inspectHl7(bytes: Uint8Array, mllp: boolean, options: InspectOptions): Inspected {
  const issues = new IssueList();
  const capture = mllp ? readMllpCapture(bytes, issues) : readHl7TextCapture(bytes, issues);

  let choice: ProfileChoice = options.profile ? { profile: options.profile } : {};
  if (!options.profile) {
    const testIds = capture.messages.flatMap(({ message }) => message.segmentsWithId('OBX').map((obx) => Array.from({ length: 9 }, (_, index) => obx.value(3, 1, index + 1, 1))));
    const sender = capture.messages.map(({ message }) => `${message.header.value(3, 1, 1)} ${message.header.value(4, 1, 1)}`).join(' ');
    choice = chooseShippedProfile('hl7-mllp', testIds, sender);
  }

  const messages = capture.messages.map((parsed, index): MessageReport => {
    const type = parsed.message.messageType;
    return {
      index,
      offset: parsed.offset,
      controlId: parsed.message.controlId,
      messageType: [type.code, type.trigger, type.structure].filter((part) => part !== '').join('^'),
      records: parsed.segments,
      results: mapHl7Message(parsed.message, contextOf(parsed.raw, 0, choice.profile, options.timeZone)),
    };
  });
  return { issues, choice, capture, messages };
}

function astmSettingsOf(profile: AnalyzerProfile): AstmCaptureSettings {
  if (profile.protocol.name !== 'astm-e1381') return DEFAULT_ASTM_SETTINGS;
  return { acceptOversizedFrames: profile.protocol.acceptOversizedFrames, encoding: profile.protocol.encoding === 'utf-8' ? 'utf8' : 'latin1' };
}

function contextOf(raw: Uint8Array, part: number, profile: AnalyzerProfile | undefined, timeZone: string): MappingContext {
  return { raw, part, timeZone, ...(profile ? { profile } : {}) };
}

