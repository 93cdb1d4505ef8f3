import { t } from '../../i18n/index.js';
import type { ImageFacts } from './image-facts.js';
import type { StackImage } from './image-ids.js';
import type { ViewportReadout } from './useStackViewport.js';
import { formatNumber } from './viewer-text.js';

interface ViewportOverlayProps {
  facts: ImageFacts | null;
  readout: ViewportReadout | null;
  index: number;
  stack: readonly StackImage[];
  /** Images of the series that failed to load so far. */
  failedCount: number;
}

/**
 * Renders the four corners over the image: patient and study date, series, position in the stack with
 * the slice position, and the window and zoom. The text sits over the image, so it casts a
 * shadow to stay legible on bright pixels.
 */
export function ViewportOverlay({ facts, readout, index, stack, failedCount }: ViewportOverlayProps) {
  const image = stack[index];
  return (
    <div className="viewer-overlay" aria-hidden="false">
      <div className="viewer-overlay__corner viewer-overlay__corner--top-left" data-testid="viewer-overlay-patient">
        {facts?.patientName === null || facts === null ? null : <div>{facts.patientName}</div>}
        {facts?.patientId == null ? null : <div>{t('viewer.overlay.patientId', { id: facts.patientId })}</div>}
        {facts?.studyDate == null ? null : <div>{t('viewer.overlay.studyDate', { date: facts.studyDate })}</div>}
      </div>
      <div className="viewer-overlay__corner viewer-overlay__corner--top-right" data-testid="viewer-overlay-series">
        {facts?.seriesNumber == null ? null : <div>{t('viewer.overlay.series', { number: facts.seriesNumber })}</div>}
        {facts?.seriesDescription == null ? null : <div>{facts.seriesDescription}</div>}
        {facts?.modality == null ? null : <div>{facts.modality}</div>}
      </div>
      <div className="viewer-overlay__corner viewer-overlay__corner--bottom-left" data-testid="viewer-overlay-position">
        <div>{t('viewer.overlay.image', { position: index + 1, count: stack.length })}</div>
        {image !== undefined && image.frameCount > 1 ? (
          <div>{t('viewer.overlay.frame', { frame: image.frameIndex + 1, count: image.frameCount })}</div>
        ) : null}
        {facts?.slicePosition == null ? null : <div>{t('viewer.overlay.slice', { position: formatNumber(facts.slicePosition, 2) })}</div>}
        {failedCount === 0 ? null : (
          <div className="viewer-overlay__warning" data-testid="viewer-overlay-failed">
            {t('viewer.overlay.failed', { count: failedCount, total: stack.length })}
          </div>
        )}
      </div>
      <div className="viewer-overlay__corner viewer-overlay__corner--bottom-right" data-testid="viewer-overlay-display">
        {readout === null ? null : (
          <>
            <div data-testid="viewer-overlay-window">
              {readout.voiLut
                ? t('viewer.overlay.voiLut')
                : t('viewer.overlay.window', { width: formatNumber(readout.windowWidth, 0), center: formatNumber(readout.windowCenter, 0) })}
            </div>
            <div data-testid="viewer-overlay-zoom">{t('viewer.overlay.zoom', { percent: formatNumber(readout.scale * 100, 0) })}</div>
          </>
        )}
      </div>
    </div>
  );
}
