import { useEffect, useRef, useState } from 'react';

import type { ImagingSeries } from '../../../../preload/api/imaging-schemas.js';
import { t } from '../../i18n/index.js';
import { cornerstone, initialiseCornerstone } from './cornerstone-setup.js';
import type { StackImage } from './image-ids.js';
import { loadImageWithin } from './load-image.js';

/** Edge of a thumbnail canvas in CSS pixels. */
const THUMBNAIL_SIZE = 96;

interface SeriesThumbnailProps {
  series: ImagingSeries;
  stack: readonly StackImage[];
  selected: boolean;
  loadTimeoutMs: number;
  onSelect(): void;
}

/**
 * Renders a button that opens one series, with its middle image drawn small and the series' number,
 * description and image count. When that image fails, the thumbnail shows a message instead.
 */
export function SeriesThumbnail({ series, stack, selected, loadTimeoutMs, onSelect }: SeriesThumbnailProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [status, setStatus] = useState<'loading' | 'shown' | 'failed'>('loading');
  const middle = stack[Math.floor(stack.length / 2)];

  useEffect(() => {
    if (middle === undefined) {
      setStatus('failed');
      return;
    }
    let cancelled = false;
    initialiseCornerstone();
    void loadImageWithin(middle.imageId, loadTimeoutMs).then((result) => {
      const canvas = canvasRef.current;
      if (cancelled || canvas === null) return;
      if (!result.ok) {
        setStatus('failed');
        return;
      }
      canvas.width = THUMBNAIL_SIZE;
      canvas.height = THUMBNAIL_SIZE;
      cornerstone.renderToCanvas(canvas, result.image);
      setStatus('shown');
    });
    return () => {
      cancelled = true;
    };
  }, [middle, loadTimeoutMs]);

  const title = [series.number === null ? null : t('viewer.seriesNumber', { number: series.number }), series.description ?? series.modality]
    .filter((part) => part !== null)
    .join(' · ');

  return (
    <li className="viewer-series__item">
      <button
        type="button"
        className={`viewer-series__button${selected ? ' viewer-series__button--selected' : ''}`}
        aria-pressed={selected}
        data-testid="viewer-series"
        data-series-uid={series.seriesInstanceUid}
        data-status={status}
        onClick={onSelect}
      >
        <span className="viewer-series__picture">
          <canvas ref={canvasRef} width={THUMBNAIL_SIZE} height={THUMBNAIL_SIZE} aria-hidden="true" />
          {status === 'failed' ? <span className="viewer-series__problem">{t('viewer.thumbnailFailed')}</span> : null}
        </span>
        <span className="viewer-series__title">{title === '' ? t('viewer.seriesUntitled') : title}</span>
        <span className="viewer-series__count">{stack.length === 1 ? t('viewer.imageCountOne') : t('viewer.imageCountMany', { count: stack.length })}</span>
      </button>
    </li>
  );
}
