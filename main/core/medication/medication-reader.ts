import type { EntryDocument, RecordDocument, ReferenceDocument } from '../../../sync/protocol/documents.js';
import type { FormularyProduct, MedicationOrder } from '../../../sync/protocol/fhir/medication.js';
import { readFormularyProduct, readMedicationOrder } from '../../../sync/protocol/fhir/medication.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';

/**
 * The replica queries of the MAR and the bedside check: a patient's orders and administrations,
 * the ward's orders (to tell a wrong patient from a wrong drug) and the formulary.
 */
export class MedicationReader {
  constructor(private readonly replica: ReplicaDatabase) {}

  async orders(patientId: string): Promise<MedicationOrder[]> {
    const found = await this.replica.records.find({ selector: { resourceType: 'MedicationRequest', patientId } }).exec();
    return found.map((document) => readMedicationOrder((document.toJSON() as RecordDocument).resource));
  }

  /** Returns every medication order in the replica: the ward's patients', and those of patients who left it lately. */
  async allOrders(): Promise<MedicationOrder[]> {
    const found = await this.replica.records.find({ selector: { resourceType: 'MedicationRequest' } }).exec();
    return found.map((document) => readMedicationOrder((document.toJSON() as RecordDocument).resource));
  }

  /** Returns a patient's administrations whose time is at or after `since` (a UTC instant). */
  async administrations(patientId: string, since: string): Promise<EntryDocument[]> {
    const found = await this.replica.entries
      .find({ selector: { resourceType: 'MedicationAdministration', patientId, effective: { $gte: since } }, sort: [{ resourceType: 'asc' }, { patientId: 'asc' }, { effective: 'asc' }] })
      .exec();
    return found.map((document) => document.toJSON() as EntryDocument);
  }

  async entry(id: string): Promise<EntryDocument | undefined> {
    const document = await this.replica.entries.findOne(id).exec();
    return document?.toJSON() as EntryDocument | undefined;
  }

  /** Returns the formulary's products by GTIN. */
  async formulary(): Promise<Map<string, FormularyProduct>> {
    const found = await this.replica.reference.find({ selector: { resourceType: 'Medication' } }).exec();
    const products = new Map<string, FormularyProduct>();
    for (const document of found) {
      const product = readFormularyProduct((document.toJSON() as ReferenceDocument).resource);
      if (product) products.set(product.gtin, product);
    }
    return products;
  }
}
