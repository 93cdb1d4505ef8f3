import type { DataSet } from 'dicom-parser';

import { fileUrlOfImageId } from './image-ids.js';

/** The parts of cornerstone-core and the loader this provider uses, passed in by the setup. */
interface Cornerstone {
  metaData: { addProvider(provider: (type: string, imageId: string) => unknown, priority?: number): void };
}
interface WadoImageLoader {
  wadouri: { dataSetCacheManager: { get(url: string): DataSet | undefined } };
}

function lacksModalityAndOrientation(dataSet: DataSet): boolean {
  return dataSet.string('x00080060') === undefined && dataSet.string('x00200037') === undefined && dataSet.elements.x00209116 === undefined;
}

function numbers(dataSet: DataSet, tag: string, count: number): number[] | undefined {
  const values = Array.from({ length: count }, (_, index) => dataSet.floatString(tag, index));
  return values.every((value): value is number => value !== undefined && Number.isFinite(value)) ? values : undefined;
}

function imagePlaneModule(dataSet: DataSet) {
  const pixelSpacing = numbers(dataSet, 'x00280030', 2);
  return {
    frameOfReferenceUID: dataSet.string('x00200052'),
    rows: dataSet.uint16('x00280010'),
    columns: dataSet.uint16('x00280011'),
    imageOrientationPatient: undefined,
    rowCosines: null,
    columnCosines: null,
    imagePositionPatient: numbers(dataSet, 'x00200032', 3),
    sliceThickness: dataSet.floatString('x00180050'),
    sliceLocation: dataSet.floatString('x00201041'),
    pixelSpacing,
    rowPixelSpacing: pixelSpacing?.[0] ?? null,
    columnPixelSpacing: pixelSpacing?.[1] ?? null,
  };
}

function provideForFilesWithoutModality(loader: WadoImageLoader, type: string, imageId: string): unknown {
  if ((type !== 'imagePlaneModule' && type !== 'nmMultiframeGeometryModule') || !imageId.startsWith('wadouri:')) return undefined;
  const dataSet = loader.wadouri.dataSetCacheManager.get(fileUrlOfImageId(imageId));
  if (dataSet === undefined || !lacksModalityAndOrientation(dataSet)) return undefined;
  if (type === 'imagePlaneModule') return imagePlaneModule(dataSet);
  return { modality: undefined, isNMReconstructable: false, numberOfFrames: dataSet.intString('x00280008') };
}

/** Priority above the loader's own provider (0), so cornerstone calls this one first. */
const PRIORITY = 10;

/**
 * Adds a metadata provider for P10 files without Modality and Image Orientation (Patient).
 * cornerstone-wado-image-loader 4.13.2 computes such a file's image plane with
 * `modality.includes('NM')`, which throws when Modality is missing too, as in secondary captures
 * made by img2dcm. The throw happens inside the load, whose promise then never settles. This
 * provider returns the image plane (and NM geometry) of such files first, with the values the
 * loader would have returned, so the image loads.
 */
export function addMissingModalityProvider(cornerstone: Cornerstone, loader: WadoImageLoader): void {
  cornerstone.metaData.addProvider((type, imageId) => provideForFilesWithoutModality(loader, type, imageId), PRIORITY);
}
