import { EventEmitter } from 'node:events';

import type { AstmMessage } from '../../../devices/astm/index.js';
import { parseAstmMessages, readAstmFrames } from '../../../devices/astm/index.js';
import type { AnalyzerProfile } from '../../../devices/profiles/index.js';
import type { LabResultGroup, LabResultMapping } from '../../../devices/results/index.js';
import { buildResultResources, isStoredResult, mapAstmMessage, mapHl7Message } from '../../../devices/results/index.js';
import type { Hl7Message } from '../../../devices/hl7/index.js';
import { parseMessage } from '../../../devices/hl7/index.js';
import { HmsApiError } from '../../../preload/api/errors.js';
import type { LabChanged, LabConnection, LabMessageDetail, LabMessageView, LabResultGroupView, LabReviewItem } from '../../../preload/api/lab-schemas.js';
import type { FhirResource, RecordDocument } from '../../../sync/protocol/documents.js';
import { toEntryDocument } from '../../../sync/protocol/documents.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { Logger } from '../logging/logger.js';
import { displayName } from '../services/fhir-views.js';
import type { LocalWriter } from '../services/local-writer.js';
import type { AnalyzerSession, LabReply, ReceivedLabMessage } from './analyzer-session.js';
import type { HostQueryDetail, HostQueryOutcome } from './host-query.js';
import { HostQueryResponder } from './host-query.js';
import type { ArchivedLabMessage, LabArchive, LabMessageDetail as ArchivedDetail, LabMessageOutcome } from './lab-archive.js';
import type { GroupPatient } from './lab-views.js';
import { showControlCharacters, toGroupView } from './lab-views.js';
import type { ReviewItem, ReviewQueue } from './review-queue.js';

/** A held group as the review queue keeps it: enough to store it later exactly as it came. */
export interface HeldGroup {
  profileId: string | undefined;
  messageHash: string;
  receivedAt: string;
  group: LabResultGroup;
  /** The view shown on the screens, refreshed when a technician matches the group. */
  view: LabResultGroupView;
  /** The accession a technician typed to match the group. */
  matchedAccession?: string;
}

/** `decidedBy` of a group released because its order arrived after its results. */
export const RELEASED_BY_WORKSTATION = 'workstation';

/** The archive detail of a message, with the group views the screens list. */
interface MessageDetail extends ArchivedDetail {
  groups?: LabResultGroupView[];
  /** The response to a host query in the message. */
  hostQuery?: HostQueryDetail;
}

interface LabServiceEvents {
  changed: [change: LabChanged];
}

export interface LabServiceOptions {
  replica: ReplicaDatabase;
  writer: LocalWriter;
  archive: LabArchive;
  review: ReviewQueue<HeldGroup>;
  profiles: ReadonlyMap<string, AnalyzerProfile>;
  logger: Logger;
  now: () => Date;
  /** Zone of analyzer timestamps without an offset: the workstation's own zone. */
  timeZone: string;
}

/** A message as parsed once for the result mapping and the host query. */
type ParsedLabMessage = { protocol: 'hl7'; message: Hl7Message } | { protocol: 'astm'; messages: AstmMessage[] };

/** A specimen found by its accession number, with its patient. */
interface MatchedSpecimen {
  specimenId: string;
  patient: GroupPatient | undefined;
  basedOn: string[];
}

/**
 * The lab bench: analyzer connections, the results they deliver and the review queue. A result
 * group reaches the chart (the replica's entries, synced like any entry) when its specimen is
 * found by accession and nothing in it needs review. Otherwise it waits for a technician.
 */
export class LabService extends EventEmitter<LabServiceEvents> {
  readonly #options: LabServiceOptions;
  readonly #sessions = new Map<string, { session: AnalyzerSession; name: string }>();
  readonly #log: Logger;
  readonly #hostQueries: HostQueryResponder;
  #releasing: Promise<number> = Promise.resolve(0);

  constructor(options: LabServiceOptions) {
    super();
    this.#options = options;
    this.#log = options.logger;
    this.#hostQueries = new HostQueryResponder({ replica: options.replica, logger: options.logger, now: options.now, timeZone: options.timeZone });
  }

  /** Adds a connection; its messages are handled by this service. */
  attach(session: AnalyzerSession, name: string): void {
    this.#sessions.set(session.status.connectionId, { session, name });
    session.on('status', () => this.#changed('connections'));
  }

  /** The handler each analyzer session calls for a complete message; returns the response to a host query. */
  readonly handle = async (message: ReceivedLabMessage): Promise<LabReply | undefined> => {
    return this.#handle(message.archived, message.raw, message.text, message.hl7, true);
  };

  /** Handles again the messages a stop left unhandled; their ids make a second write harmless. */
  async recover(): Promise<number> {
    const unsettled = this.#options.archive.unsettled();
    for (const archived of unsettled) {
      const raw = this.#options.archive.raw(archived.id);
      if (!raw) continue;
      try {
        await this.#handle(archived, raw, archived.protocol === 'astm' ? recordsOfFrames(raw) : raw, undefined, false);
      } catch (error) {
        this.#log.error({ message: archived.id, err: error }, 'handling an archived lab message again failed; it stays as received');
      }
    }
    if (unsettled.length > 0) this.#log.warn({ messages: unsettled.length }, 'handled lab messages that a stop had left unhandled');
    return unsettled.length;
  }

  /** Stores a message's results and builds the response to its host query; `live` is false when handling an archived message again. */
  async #handle(archived: ArchivedLabMessage, raw: Buffer, text: Buffer, hl7: Hl7Message | undefined, live: boolean): Promise<LabReply | undefined> {
    const profile = this.#options.profiles.get(archived.connectionId);
    let parsed: ParsedLabMessage;
    let mappings: LabResultMapping[];
    try {
      // Parsed once here: the mapping and the host query both read the same records or segments.
      parsed = archived.protocol === 'hl7' ? { protocol: 'hl7', message: hl7 ?? parseMessage(text) } : { protocol: 'astm', messages: parseAstmMessages(text, { encoding: astmEncoding(profile) }) };
      mappings = this.#map(parsed, raw, profile);
    } catch (error) {
      this.#options.archive.settle(archived.id, 'rejected', { error: (error as Error).message });
      this.#changed('messages');
      this.#log.warn({ message: archived.id, err: error }, 'lab message could not be mapped to results');
      return undefined;
    }

    const documentIds: string[] = [];
    const reviewIds: string[] = [];
    const groups: LabResultGroupView[] = [];
    let controlRuns = 0;
    for (const mapping of mappings) {
      // Quality-control and test runs are about the analyzer, not a patient: they stay in the
      // archive and must never reach a chart, not even through the review queue.
      if (!isPatientRun(mapping)) {
        controlRuns += mapping.groups.length;
        continue;
      }
      for (const group of mapping.groups) {
        if (!group.results.some(isStoredResult)) continue;
        const specimen = group.accession ? await this.#findSpecimen(group.accession) : undefined;
        const view = toGroupView(group, specimen?.specimenId ?? null, specimen?.patient);
        groups.push(view);
        const reasons = reviewReasons(group, specimen);
        if (reasons.length === 0 && specimen) {
          documentIds.push(...(await this.#store(mapping.profileId, group, specimen, archived.receivedAt)));
        } else {
          const held = this.#options.review.add(archived.id, archived.connectionId, reasons, {
            profileId: mapping.profileId,
            messageHash: mapping.messageHash,
            receivedAt: archived.receivedAt,
            group,
            view,
          });
          reviewIds.push(held.id);
        }
      }
    }

    const query = await this.#respondToHostQuery(archived, parsed, profile, live);

    let outcome: Exclude<LabMessageOutcome, 'received' | 'rejected'> = 'no-results';
    if (reviewIds.length > 0) outcome = 'review';
    else if (groups.length > 0) outcome = 'stored';
    const counts = {
      groups: groups.length,
      documents: documentIds.length,
      held: reviewIds.length,
      ...(controlRuns > 0 ? { qualityControl: controlRuns } : {}),
      ...(query ? { orders: query.detail.orders } : {}),
    };
    const detail: MessageDetail = { documentIds, reviewIds, groups, counts, ...(query ? { hostQuery: query.detail } : {}) };
    this.#options.archive.settle(archived.id, outcome, detail);
    this.#log.info({ message: archived.id, outcome, documents: documentIds.length, held: reviewIds.length }, 'lab message handled');
    this.#changed(reviewIds.length > 0 ? 'review' : 'messages');
    return query?.reply;
  }

  /** Builds the response to the message's host query (ASTM Q records, HL7 QBP); undefined for any other message. */
  async #respondToHostQuery(
    archived: ArchivedLabMessage,
    parsed: ParsedLabMessage,
    profile: AnalyzerProfile | undefined,
    live: boolean,
  ): Promise<HostQueryOutcome | undefined> {
    const context = { messageId: archived.id, profile, live };
    if (parsed.protocol === 'hl7') return this.#hostQueries.respondToHl7(parsed.message, context);
    return this.#hostQueries.respondToAstm(parsed.messages, context);
  }

  #map(parsed: ParsedLabMessage, raw: Buffer, profile: AnalyzerProfile | undefined): LabResultMapping[] {
    const context = { raw, timeZone: this.#options.timeZone, ...(profile ? { profile } : {}) };
    if (parsed.protocol === 'hl7') return [mapHl7Message(parsed.message, context)];
    return parsed.messages.map((message, part) => mapAstmMessage(message, { ...context, part }));
  }

  async #findSpecimen(accession: string): Promise<MatchedSpecimen | undefined> {
    const found = await this.#options.replica.records.findOne({ selector: { resourceType: 'Specimen', accession } }).exec();
    return found ? this.#matchedSpecimen(found.toJSON() as RecordDocument) : undefined;
  }

  async #specimenById(specimenId: string): Promise<MatchedSpecimen | undefined> {
    const found = await this.#options.replica.records.findOne(specimenId).exec();
    return found ? this.#matchedSpecimen(found.toJSON() as RecordDocument) : undefined;
  }

  /** Reads a Specimen's patient and orders from the replica. */
  async #matchedSpecimen(specimen: RecordDocument): Promise<MatchedSpecimen> {
    const patientDocument = specimen.patientId ? await this.#options.replica.records.findOne(`Patient/${specimen.patientId}`).exec() : null;
    const patientRecord = patientDocument?.toJSON() as RecordDocument | undefined;
    const requests = ((specimen.resource.request as { reference?: string }[] | undefined) ?? []).map((reference) => reference.reference).filter((reference): reference is string => Boolean(reference));
    return {
      specimenId: specimen.id,
      patient: patientRecord ? { patientId: patientRecord.patientId, name: displayName(patientRecord.resource), mrn: patientRecord.mrn } : undefined,
      basedOn: requests,
    };
  }

  async #store(profileId: string | undefined, group: LabResultGroup, specimen: MatchedSpecimen, receivedAt: string): Promise<string[]> {
    const mapping = { profileId } as LabResultMapping;
    const resources = buildResultResources(mapping, group, {
      ...(specimen.patient ? { subject: { reference: `Patient/${specimen.patient.patientId}` } } : {}),
      specimen: { reference: specimen.specimenId },
      basedOn: specimen.basedOn.map((reference) => ({ reference })),
      // A group without a time of its own is reported when the workstation received it.
      issued: group.issued ?? receivedAt,
    });
    const documents = [...resources.observations, resources.diagnosticReport].map((resource) => toEntryDocument(resource as unknown as FhirResource));
    await this.#options.writer.insertEntries(documents);
    return documents.map((document) => document.id);
  }

  connections(): LabConnection[] {
    return [...this.#sessions.values()].map(({ session, name }) => {
      const status = session.status;
      return {
        id: status.connectionId,
        name,
        protocol: status.protocol,
        endpoint: status.endpoint,
        state: status.transportState,
        reason: status.transportReason,
        messagesReceived: status.messagesReceived,
        failures: status.failures,
        lastMessageAt: status.lastMessageAt,
      };
    });
  }

  recentMessages(limit = 50): LabMessageView[] {
    const messages = this.#options.archive.recent(limit);
    const items = this.#options.review.forMessages(messages.map((message) => message.id));
    return messages.map((message) => withDecisions(toMessageView(message), items));
  }

  message(messageId: string): LabMessageDetail {
    const archived = this.#options.archive.get(messageId);
    const raw = this.#options.archive.raw(messageId);
    if (!archived || !raw) throw new HmsApiError({ code: 'not-found', message: `Lab message ${messageId} is not in the archive; reload the list` });
    const items = this.#options.review.forMessages([messageId]);
    const released = items.filter((item) => item.state === 'released').flatMap((item) => storedIdsOf(item.group));
    const view = withDecisions(toMessageView(archived), items);
    return { ...view, raw: showControlCharacters(raw), documentIds: [...(archived.detail.documentIds ?? []), ...released] };
  }

  reviewQueue(): LabReviewItem[] {
    return this.#options.review.list('waiting').map(toReviewView);
  }

  /** Matches a held group to the Specimen with this accession, after the technician read its label. */
  async matchReview(reviewId: string, accession: string): Promise<LabReviewItem> {
    const waiting = this.#requireWaiting(reviewId);
    const specimen = await this.#findSpecimen(accession);
    if (!specimen) throw new HmsApiError({ code: 'not-found', message: `No specimen with accession ${accession} is on this workstation; check the label, or wait until the order has synced` });
    const view = toGroupView(waiting.group.group, specimen.specimenId, specimen.patient);
    const item = this.#options.review.match(reviewId, specimen.specimenId, { ...waiting.group, view, matchedAccession: accession });
    this.#changed('review');
    return toReviewView(item);
  }

  /** Stores a held group's results in the chart; a group with no matched specimen cannot be released. */
  async releaseReview(reviewId: string, userId: string): Promise<LabReviewItem> {
    const item = this.#requireWaiting(reviewId);
    let specimen: MatchedSpecimen | undefined;
    if (item.specimenId) specimen = await this.#specimenById(item.specimenId);
    else if (item.group.group.accession) specimen = await this.#findSpecimen(item.group.group.accession);
    if (!specimen) throw new HmsApiError({ code: 'conflict', message: `Review item ${reviewId} matches no specimen; match it to the specimen on the tube's label first` });
    await this.#store(item.group.profileId, item.group.group, specimen, item.group.receivedAt);
    const decided = this.#options.review.decide(reviewId, { state: 'released', userId });
    this.#log.info({ review: reviewId, message: item.messageId }, 'held lab results released');
    this.#changed('review');
    return toReviewView(decided);
  }

  rejectReview(reviewId: string, reason: string, userId: string): LabReviewItem {
    this.#requireWaiting(reviewId);
    const decided = this.#options.review.decide(reviewId, { state: 'rejected', userId, reason });
    this.#log.info({ review: reviewId, message: decided.messageId }, 'held lab results rejected');
    this.#changed('review');
    return toReviewView(decided);
  }

  /**
   * Releases the held groups that waited only for their order: a tube's results can reach the
   * bench before its Specimen has synced, and once it has, nothing else held them back. Runs at
   * start and whenever Specimens arrive.
   */
  releaseArrivedOrders(): Promise<number> {
    // One pass at a time: two passes over the same item would decide it twice.
    const pass = this.#releasing.then(() => this.#releaseArrivedOrders());
    this.#releasing = pass.catch(() => 0);
    return pass;
  }

  async #releaseArrivedOrders(): Promise<number> {
    let released = 0;
    for (const item of this.#options.review.list('waiting', 1000)) {
      if (item.reasons.length !== 1 || item.reasons[0] !== 'unknown-accession' || item.specimenId) continue;
      const accession = item.group.group.accession;
      const specimen = accession ? await this.#findSpecimen(accession) : undefined;
      if (!specimen) continue;
      await this.#store(item.group.profileId, item.group.group, specimen, item.group.receivedAt);
      this.#options.review.decide(item.id, { state: 'released', userId: RELEASED_BY_WORKSTATION });
      this.#log.info({ review: item.id, message: item.messageId }, 'held lab results released: their order has arrived');
      released += 1;
    }
    if (released > 0) this.#changed('review');
    return released;
  }

  #requireWaiting(reviewId: string): ReviewItem<HeldGroup> {
    const item = this.#options.review.get(reviewId);
    if (!item) throw new HmsApiError({ code: 'not-found', message: `Review item ${reviewId} is not in the review queue; reload the review queue` });
    if (item.state !== 'waiting') {
      throw new HmsApiError({ code: 'conflict', message: `Review item ${reviewId} was already ${item.state} by ${item.decidedBy ?? 'another user'}; reload the review queue` });
    }
    return item;
  }

  #changed(what: LabChanged['what']): void {
    this.emit('changed', { what, waitingForReview: this.#options.review.countWaiting() });
  }

  async close(): Promise<void> {
    for (const { session } of this.#sessions.values()) await session.stop();
    this.#sessions.clear();
  }
}

/** Returns the text encoding of an analyzer's ASTM records: Latin-1 unless its profile sets UTF-8. */
function astmEncoding(profile: AnalyzerProfile | undefined): 'utf8' | 'latin1' {
  return profile?.protocol.name === 'astm-e1381' && profile.protocol.encoding === 'utf-8' ? 'utf8' : 'latin1';
}

/**
 * Tells whether a message carries patient results: not an ASTM quality-control run (H.12 = Q) and
 * not an HL7 message marked for debugging or training (MSH-11 = D or T).
 */
function isPatientRun(mapping: LabResultMapping): boolean {
  const processingId = mapping.processingId.toUpperCase();
  return mapping.protocol === 'astm' ? processingId !== 'Q' : processingId !== 'D' && processingId !== 'T';
}

/** Collects the review reasons of a group: each result's own, and the group's specimen match. */
function reviewReasons(group: LabResultGroup, specimen: MatchedSpecimen | undefined): string[] {
  const reasons = new Set<string>();
  for (const result of group.results.filter(isStoredResult)) for (const reason of result.review) reasons.add(reason.code);
  if (group.accession && !specimen) reasons.add('unknown-accession');
  if (!group.accession) reasons.add('no-accession');
  return [...reasons];
}

/** Extracts the LIS2-A2 records of archived ASTM frames: each frame's text between the frame number and ETB/ETX. */
function recordsOfFrames(raw: Buffer): Buffer {
  return Buffer.concat(readAstmFrames(raw).flatMap((token) => (token.kind === 'frame' ? [token.frame.text] : [])));
}

function toMessageView(archived: ArchivedLabMessage): LabMessageView {
  const detail = archived.detail as MessageDetail;
  return {
    id: archived.id,
    connectionId: archived.connectionId,
    protocol: archived.protocol,
    receivedAt: archived.receivedAt,
    outcome: archived.outcome,
    repeatOf: archived.repeatOf,
    groups: detail.groups ?? [],
    error: detail.error ?? null,
  };
}

/** Lists the ids of the documents a released group stored: its DiagnosticReport and Observations. */
function storedIdsOf(held: HeldGroup): string[] {
  return [`DiagnosticReport/${held.group.id}`, ...held.group.results.filter(isStoredResult).map((result) => `Observation/${result.id}`)];
}

/** Adds the review decisions of a message's held groups, and the specimen a technician matched. */
function withDecisions(message: LabMessageView, items: readonly ReviewItem<HeldGroup>[]): LabMessageView {
  const byGroup = new Map(items.filter((item) => item.messageId === message.id).map((item) => [item.group.group.id, item]));
  if (byGroup.size === 0) return message;
  return {
    ...message,
    groups: message.groups.map((group) => {
      const item = group.groupId === undefined ? undefined : byGroup.get(group.groupId);
      if (!item) return group;
      const matched = item.specimenId ? item.group.view : group;
      return {
        ...group,
        specimenId: matched.specimenId,
        patientId: matched.patientId,
        patientName: matched.patientName,
        mrn: matched.mrn,
        review: { state: item.state, decidedAt: item.decidedAt, decidedBy: item.decidedBy, reason: item.decisionReason },
      };
    }),
  };
}

function toReviewView(item: ReviewItem<HeldGroup>): LabReviewItem {
  return {
    id: item.id,
    messageId: item.messageId,
    connectionId: item.connectionId,
    createdAt: item.createdAt,
    reasons: item.reasons,
    group: { ...item.group.view, specimenId: item.specimenId ?? item.group.view.specimenId },
    state: item.state,
    decidedAt: item.decidedAt,
    decidedBy: item.decidedBy,
    decisionReason: item.decisionReason,
    matchedAccession: item.group.matchedAccession ?? null,
  };
}
