import type { Hl7Message } from '../message.js';

/** The MSH fields a lab interface routes and acknowledges by. Values are decoded; '' when absent. */
export interface MessageHeader {
  /** MSH-3.1, the sending application's namespace ID. */
  sendingApplication: string;
  /** MSH-4.1 */
  sendingFacility: string;
  /** MSH-5.1 */
  receivingApplication: string;
  /** MSH-6.1 */
  receivingFacility: string;
  /** MSH-7.1, HL7 DTM as sent, e.g. 20240101120000+0100. */
  dateTime: string;
  /** MSH-9.1 */
  messageCode: string;
  /** MSH-9.2 */
  triggerEvent: string;
  /** MSH-9.3 */
  messageStructure: string;
  /** MSH-10 */
  controlId: string;
  /** MSH-11.1: P production, D debugging, T training. */
  processingId: string;
  /** MSH-12.1 */
  version: string;
  /** MSH-13 */
  sequenceNumber: string;
  /** MSH-15: AL, NE, ER, SU or ''. */
  acceptAcknowledgmentType: string;
  /** MSH-16: AL, NE, ER, SU or ''. */
  applicationAcknowledgmentType: string;
  /** MSH-18, first repetition. */
  characterSet: string;
}

export function readHeader(message: Hl7Message): MessageHeader {
  const msh = message.header;
  return {
    sendingApplication: msh.value(3, 1, 1),
    sendingFacility: msh.value(4, 1, 1),
    receivingApplication: msh.value(5, 1, 1),
    receivingFacility: msh.value(6, 1, 1),
    dateTime: msh.value(7, 1, 1),
    messageCode: msh.value(9, 1, 1),
    triggerEvent: msh.value(9, 1, 2),
    messageStructure: msh.value(9, 1, 3),
    controlId: msh.value(10),
    processingId: msh.value(11, 1, 1),
    version: msh.value(12, 1, 1),
    sequenceNumber: msh.value(13),
    acceptAcknowledgmentType: msh.value(15),
    applicationAcknowledgmentType: msh.value(16),
    characterSet: msh.value(18, 1),
  };
}
