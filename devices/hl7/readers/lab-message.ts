import type { Hl7Message } from '../message.js';
import type { Hl7Segment } from '../segment.js';
import { readCoded } from './coded.js';
import type { CodedElement } from './coded.js';
import { readHeader } from './header.js';
import type { MessageHeader } from './header.js';
import { readNote, readObservation } from './observation.js';
import type { Note, Observation } from './observation.js';
import { readPatient } from './patient.js';
import type { Patient } from './patient.js';

/** ORC: the common order. Values are decoded; '' when absent. */
export interface CommonOrder {
  /** ORC-1 (HL7 table 0119), e.g. NW new order, RE observations to follow, SC status changed. */
  orderControl: string;
  /** ORC-2.1 */
  placerOrderNumber: string;
  /** ORC-3.1 */
  fillerOrderNumber: string;
  /** ORC-4.1 */
  placerGroupNumber: string;
  /** ORC-5 (HL7 table 0038), e.g. CM completed, IP in process. */
  orderStatus: string;
  /** ORC-9.1 */
  transactionAt: string;
  segment: Hl7Segment;
}

/** OBR: the observation request. Values are decoded; '' when absent. */
export interface ObservationRequest {
  /** OBR-1. Not unique in practice (several OBR-1 = 1 in one message), so groups never rely on it. */
  setId: string;
  /** OBR-2.1 */
  placerOrderNumber: string;
  /** OBR-3.1; many analyzers put the sample ID here. */
  fillerOrderNumber: string;
  /** OBR-4, the ordered test or panel. */
  service: CodedElement;
  /** OBR-7.1, when the specimen was collected. */
  observedAt: string;
  /** OBR-11 (HL7 table 0065), e.g. A add, G generated, L lab to obtain. */
  specimenActionCode: string;
  /** OBR-14.1 */
  specimenReceivedAt: string;
  /** OBR-15.1.1, the specimen source of versions before 2.5. */
  specimenSource: string;
  /** OBR-22.1 */
  resultsReportedAt: string;
  /** OBR-24 */
  diagnosticServiceSection: string;
  /** OBR-25 (HL7 table 0123), e.g. F final, P preliminary, C corrected. */
  resultStatus: string;
  segment: Hl7Segment;
}

/** SPM: a specimen (v2.5 on). Values are decoded; '' when absent. */
export interface Specimen {
  /** SPM-1 */
  setId: string;
  /** SPM-2.1.1, the placer's specimen ID, often the accession number on the tube. */
  placerSpecimenId: string;
  /** SPM-2.2.1, the filler's specimen ID. */
  fillerSpecimenId: string;
  /** SPM-4 */
  type: CodedElement;
  /** SPM-17.1.1, start of the collection. */
  collectedAt: string;
  /** SPM-18.1 */
  receivedAt: string;
  /** SPM-21, why the specimen was rejected. */
  rejectReason: CodedElement;
  /** OBX segments that follow the SPM (specimen observations). */
  observations: Observation[];
  segment: Hl7Segment;
}

/**
 * One order group: an ORC and/or an OBR with what follows them. A group starts at every ORC, and
 * at every OBR that does not complete a group opened by an ORC; OBR-1 plays no part.
 */
export interface OrderGroup {
  /** The PID in force where the group starts. */
  patient: Patient | undefined;
  order: CommonOrder | undefined;
  request: ObservationRequest | undefined;
  /** NTE segments after the ORC or OBR, before any OBX. */
  notes: Note[];
  observations: Observation[];
  /** SPM segments of this group; in OUL^R22 and R23, the specimen that precedes the OBR. */
  specimens: Specimen[];
  /** Every other segment of the group in message order: Z segments, TQ1, SAC, CTD, ... */
  otherSegments: Hl7Segment[];
}

/** A lab message read into patients, order groups, observations and specimens. */
export interface LabMessage {
  header: MessageHeader;
  patients: Patient[];
  orders: OrderGroup[];
  /** Every SPM of the message in order, also those listed under an order group. */
  specimens: Specimen[];
  /** OBX segments outside any order group or specimen. */
  observations: Observation[];
  /** NTE segments outside any order group. */
  notes: Note[];
  /** Segments outside any order group other than PID, OBX, NTE and SPM (PV1, Z segments, ...). */
  otherSegments: Hl7Segment[];
}

/**
 * Reads the messages of a lab interface (ORU^R01, OUL^R22, ORM^O01, OML^O21 and others built of
 * PID, ORC, OBR, OBX, NTE and SPM) into order groups by segment order, as HL7 groups them.
 * Nothing is dropped: a segment this reader does not model lands in `otherSegments`.
 */
export function readLabMessage(message: Hl7Message): LabMessage {
  const type = message.messageType;
  const specimenFirst = type.code === 'OUL' && (type.trigger === 'R22' || type.trigger === 'R23');
  const walker = new GroupWalker(specimenFirst);
  for (const segment of message.segments.slice(1)) walker.add(segment);
  return { header: readHeader(message), ...walker.result };
}

class GroupWalker {
  readonly result: Omit<LabMessage, 'header'> = { patients: [], orders: [], specimens: [], observations: [], notes: [], otherSegments: [] };
  readonly #specimenFirst: boolean;
  #patient: Patient | undefined;
  #group: OrderGroup | undefined;
  /** The specimen whose OBX segments follow (after an SPM, until the next ORC or OBR). */
  #specimen: Specimen | undefined;
  /** The specimen that OBR groups attach to in specimen-first messages. */
  #specimenContext: Specimen | undefined;
  #lastObservation: Observation | undefined;

  constructor(specimenFirst: boolean) {
    this.#specimenFirst = specimenFirst;
  }

  add(segment: Hl7Segment): void {
    switch (segment.id) {
      case 'PID':
        this.#patient = readPatient(segment);
        this.result.patients.push(this.#patient);
        this.#group = undefined;
        this.#specimen = undefined;
        this.#specimenContext = undefined;
        this.#lastObservation = undefined;
        return;
      case 'ORC':
        this.#addOrder(segment);
        return;
      case 'OBR':
        this.#addRequest(segment);
        return;
      case 'OBX':
        this.#addObservation(segment);
        return;
      case 'NTE':
        this.#addNote(segment);
        return;
      case 'SPM':
        this.#addSpecimen(segment);
        return;
      default:
        (this.#group?.otherSegments ?? this.result.otherSegments).push(segment);
    }
  }

  #addOrder(orc: Hl7Segment): void {
    const group = this.#group;
    // In OUL^R22 the ORC follows its OBR; it belongs to that group while no OBX came between.
    const completesGroup = group !== undefined && group.order === undefined && group.request !== undefined && group.observations.length === 0;
    const target = completesGroup ? group : this.#openGroup();
    target.order = readOrder(orc);
    this.#specimen = undefined;
    this.#lastObservation = undefined;
  }

  #addRequest(obr: Hl7Segment): void {
    const group = this.#group;
    const completesGroup = group !== undefined && group.request === undefined && group.observations.length === 0;
    const target = completesGroup ? group : this.#openGroup();
    target.request = readRequest(obr);
    this.#specimen = undefined;
    this.#lastObservation = undefined;
  }

  #addObservation(obx: Hl7Segment): void {
    const observation = readObservation(obx);
    this.#lastObservation = observation;
    if (this.#specimen !== undefined) this.#specimen.observations.push(observation);
    else if (this.#group !== undefined) this.#group.observations.push(observation);
    else this.result.observations.push(observation);
  }

  #addNote(nte: Hl7Segment): void {
    const note = readNote(nte);
    if (this.#lastObservation !== undefined) this.#lastObservation.notes.push(note);
    else if (this.#group !== undefined) this.#group.notes.push(note);
    else this.result.notes.push(note);
  }

  #addSpecimen(spm: Hl7Segment): void {
    const specimen = readSpecimen(spm);
    this.result.specimens.push(specimen);
    this.#specimen = specimen;
    this.#lastObservation = undefined;
    if (this.#specimenFirst) {
      this.#specimenContext = specimen;
      this.#group = undefined;
    } else if (this.#group !== undefined) {
      this.#group.specimens.push(specimen);
    }
  }

  #openGroup(): OrderGroup {
    const group: OrderGroup = {
      patient: this.#patient,
      order: undefined,
      request: undefined,
      notes: [],
      observations: [],
      specimens: this.#specimenContext === undefined ? [] : [this.#specimenContext],
      otherSegments: [],
    };
    this.result.orders.push(group);
    this.#group = group;
    return group;
  }
}

export function readOrder(orc: Hl7Segment): CommonOrder {
  return {
    orderControl: orc.value(1),
    placerOrderNumber: orc.value(2, 1, 1, 1),
    fillerOrderNumber: orc.value(3, 1, 1, 1),
    placerGroupNumber: orc.value(4, 1, 1, 1),
    orderStatus: orc.value(5),
    transactionAt: orc.value(9, 1, 1),
    segment: orc,
  };
}

export function readRequest(obr: Hl7Segment): ObservationRequest {
  return {
    setId: obr.value(1),
    placerOrderNumber: obr.value(2, 1, 1, 1),
    fillerOrderNumber: obr.value(3, 1, 1, 1),
    service: readCoded(obr, 4),
    observedAt: obr.value(7, 1, 1),
    specimenActionCode: obr.value(11),
    specimenReceivedAt: obr.value(14, 1, 1),
    specimenSource: obr.value(15, 1, 1, 1),
    resultsReportedAt: obr.value(22, 1, 1),
    diagnosticServiceSection: obr.value(24),
    resultStatus: obr.value(25),
    segment: obr,
  };
}

export function readSpecimen(spm: Hl7Segment): Specimen {
  return {
    setId: spm.value(1),
    placerSpecimenId: spm.value(2, 1, 1, 1),
    fillerSpecimenId: spm.value(2, 1, 2, 1),
    type: readCoded(spm, 4),
    collectedAt: spm.value(17, 1, 1, 1),
    receivedAt: spm.value(18, 1, 1),
    rejectReason: readCoded(spm, 21),
    observations: [],
    segment: spm,
  };
}
