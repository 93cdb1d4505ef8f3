/** The fields of an HIBC Supplier Labeling Standard (HIBC LIC) scan. */
export interface HibcData {
  /** Primary data alone, secondary data alone (linked to a primary by `linkCharacter`), or both in one symbol. */
  readonly structure: 'primary' | 'secondary' | 'primary-and-secondary';
  /** LIC: four characters, the first a letter, that HIBCC assigned to the labeler. */
  readonly labelerIdentificationCode?: string;
  /** PCN: the labeler's product or catalog number, 1 to 18 characters. */
  readonly productOrCatalogNumber?: string;
  /** U/M: 0 for the unit of use, 1 to 8 for packaging levels above it, 9 for variable quantity. */
  readonly unitOfMeasure?: number;
  readonly quantity?: number;
  /** ISO date, or `YYYY-MM-DDTHH` when the label gives the hour. */
  readonly expiry?: string;
  /** The label gave month and year only, so `expiry` is the month's last day. */
  readonly expiryDayOmitted?: boolean;
  readonly lot?: string;
  readonly serial?: string;
  /** ISO date, from the `/16D` supplemental field. */
  readonly manufactureDate?: string;
  /** Supplemental fields this parser does not read, each without its leading `/`. */
  readonly otherSupplementalData?: readonly string[];
  /** In a secondary-only symbol: the check character of the primary symbol it belongs to. */
  readonly linkCharacter?: string;
  /** The modulo 43 check character that ends the scan. */
  readonly checkCharacter?: string;
}
