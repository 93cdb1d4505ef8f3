/**
 * Analyzer profiles: the zod schema of a profile and a loader for the JSON files in a folder that
 * IT sets, which reports every bad field and never lets a bad file stop the others. Also the
 * profiles shipped with the product, and the lookups the result pipeline needs: test code → LOINC
 * mapping, result status → FHIR status, profile → transport settings.
 */
export type { AnalyzerProfile, AnalyzerProfileInput, FhirObservationStatus, ProfileProtocol, ProfileTransport, ResultStatusMapping, TestMapping } from './schema.js';
export { analyzerProfileSchema, fhirObservationStatuses } from './schema.js';
export type { ProfileIssue } from './issues.js';
export type { LoadedProfile, ProfileFileError, ProfileLoadResult, ProfileSource } from './loader.js';
export { formatProfileErrors, loadProfiles, parseProfileText, validateProfileJson, validateProfileSources } from './loader.js';
export { loadShippedProfiles, shippedProfileSources } from './shipped/index.js';
export type { TestCodeMatch } from './test-codes.js';
export { matchTestCode, testCodeKey } from './test-codes.js';
export { astmResultStatusDefaults, hl7ResultStatusDefaults, resolveResultStatus } from './result-status.js';
export { ProfileSettingMissingError, transportSettingsOf } from './site-settings.js';
export { loincCheckDigit, loincCodeProblem } from './loinc.js';
