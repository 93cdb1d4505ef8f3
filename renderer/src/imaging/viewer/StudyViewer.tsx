import './study-viewer.css';

import type { KeyboardEvent } from 'react';
import { useEffect, useMemo, useRef, useState } from 'react';

import type { WindowPreset } from '../../../../preload/api/imaging-presets.js';
import { DEFAULT_WINDOW_PRESETS } from '../../../../preload/api/imaging-presets.js';
import type { StudySeriesList } from '../../../../preload/api/imaging-schemas.js';
import { t } from '../../i18n/index.js';
import { wadoImageLoader } from './cornerstone-setup.js';
import type { InstanceUrl } from './image-ids.js';
import { fileUrlOfImageId, stackOfSeries } from './image-ids.js';
import { SeriesThumbnail } from './SeriesThumbnail.js';
import { TagBrowser } from './TagBrowser.js';
import { useStackViewport } from './useStackViewport.js';
import type { LeftButtonTool } from './viewer-tools.js';
import { ViewerToolbar } from './ViewerToolbar.js';
import { ViewportOverlay } from './ViewportOverlay.js';
import { measurementText, problemText } from './viewer-text.js';
import { useCine } from './useCine.js';

/** Time limit of loading and decoding one image, after which its viewport shows a message. */
export const DEFAULT_LOAD_TIMEOUT_MS = 15_000;

export interface StudyViewerProps {
  study: StudySeriesList;
  /** URL of one cached instance, from the host bridge. */
  instanceUrl: InstanceUrl;
  /** Window presets from the imaging settings; the CT defaults when none are configured. */
  windowPresets?: readonly WindowPreset[];
  loadTimeoutMs?: number;
}

/** Images a Page Up or Page Down key moves through the stack. */
const PAGE_STEP = 10;

/**
 * Renders the DICOM viewer of one study: series thumbnails, a stack viewport with window/level, zoom,
 * pan, measurements and cine, corner overlays, and a DICOM tag browser. Images load through
 * cornerstone-wado-image-loader from the URLs the host gives for cached instances.
 */
export function StudyViewer({ study, instanceUrl, windowPresets = DEFAULT_WINDOW_PRESETS, loadTimeoutMs = DEFAULT_LOAD_TIMEOUT_MS }: StudyViewerProps) {
  const stacks = useMemo(() => study.series.map((series) => stackOfSeries(study, series, instanceUrl)), [study, instanceUrl]);
  const [seriesIndex, setSeriesIndex] = useState(0);
  const [tool, setTool] = useState<LeftButtonTool>('Wwwc');
  const [tagsOpen, setTagsOpen] = useState(false);
  const stack = stacks[seriesIndex] ?? [];
  const viewer = useStackViewport(stack, { loadTimeoutMs });
  const cine = useCine(viewer.actions, stack.length);
  const { state, actions } = viewer;

  useEffect(() => {
    actions.setTool(tool);
  }, [tool, actions]);

  // The viewport takes the keyboard when the viewer opens, so the stack keys work without a click first.
  const focusedOnOpen = useRef(false);
  useEffect(() => {
    if (viewer.element === null || focusedOnOpen.current) return;
    focusedOnOpen.current = true;
    viewer.element.focus({ preventScroll: true });
  }, [viewer.element]);

  const shownImage = stack[state.index];
  const readout = state.readout;
  const activePreset = readout === null || readout.voiLut ? undefined : windowPresets.find((preset) => preset.width === readout.windowWidth && preset.center === readout.windowCenter);
  const dataSet = tagsOpen && shownImage !== undefined && state.slot.status === 'shown' ? (wadoImageLoader.wadouri.dataSetCacheManager.get(fileUrlOfImageId(shownImage.imageId)) ?? null) : null;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const steps: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: PAGE_STEP, PageUp: -PAGE_STEP };
    // Keys 1 to 9 apply the presets in list order, as in most reading-room viewers.
    const preset = /^[1-9]$/.test(event.key) ? windowPresets[Number(event.key) - 1] : undefined;
    if (event.key === 'Home') actions.scrollTo(0);
    else if (event.key === 'End') actions.scrollTo(stack.length - 1);
    else if (steps[event.key] !== undefined) actions.scrollBy(steps[event.key] ?? 0);
    else if (preset !== undefined) actions.setWindow(preset.width, preset.center);
    else return;
    event.preventDefault();
  };

  useEffect(() => {
    const element = viewer.element;
    if (element === null) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      if (event.deltaY !== 0) actions.scrollBy(event.deltaY > 0 ? 1 : -1);
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [viewer.element, actions]);

  if (study.series.length === 0) {
    return (
      <section className="study-viewer study-viewer--empty" data-testid="study-viewer">
        <p>{t('viewer.noSeries')}</p>
      </section>
    );
  }

  return (
    <section className="study-viewer" data-testid="study-viewer" aria-label={t('viewer.title')}>
      <nav className="viewer-series" aria-label={t('viewer.seriesList')}>
        <ol className="viewer-series__list">
          {study.series.map((series, index) => (
            <SeriesThumbnail
              key={series.seriesInstanceUid}
              series={series}
              stack={stacks[index] ?? []}
              selected={index === seriesIndex}
              loadTimeoutMs={loadTimeoutMs}
              onSelect={() => {
                cine.stop();
                setSeriesIndex(index);
              }}
            />
          ))}
        </ol>
      </nav>

      <div className="viewer-main">
        <ViewerToolbar
          tool={tool}
          presets={windowPresets}
          activePresetId={activePreset?.id ?? null}
          cinePlaying={cine.playing}
          framesPerSecond={cine.framesPerSecond}
          tagsOpen={tagsOpen}
          onTool={setTool}
          onPreset={(preset) => actions.setWindow(preset.width, preset.center)}
          onInvert={actions.invert}
          onRotate={actions.rotate}
          onFlipHorizontal={actions.flipHorizontal}
          onFlipVertical={actions.flipVertical}
          onReset={actions.reset}
          onCine={(playing) => (playing ? cine.play() : cine.stop())}
          onFramesPerSecond={cine.setFramesPerSecond}
          onTags={setTagsOpen}
        />

        <div className="viewer-stage">
          <div
            ref={viewer.setElement}
            className="viewer-viewport"
            tabIndex={0}
            role="img"
            aria-label={t('viewer.viewportLabel', { position: state.index + 1, count: stack.length })}
            data-testid="viewer-viewport"
            data-status={state.slot.status}
            data-index={state.index}
            data-image-id={shownImage?.imageId ?? ''}
            data-window-width={state.readout?.windowWidth ?? ''}
            data-window-center={state.readout?.windowCenter ?? ''}
            data-scale={state.readout?.scale ?? ''}
            onKeyDown={onKeyDown}
            onContextMenu={(event) => event.preventDefault()}
          />
          <ViewportOverlay facts={state.facts} readout={state.readout} index={state.index} stack={stack} failedCount={state.failedIndices.size} />
          {state.slot.status === 'failed' ? (
            <div className="viewer-problem" role="alert" data-testid="viewer-problem">
              <strong>{t('viewer.problem.title')}</strong>
              <span>{problemText(state.slot.problem)}</span>
              {stack.length > 1 ? <span>{t('viewer.problem.scrollOn')}</span> : null}
            </div>
          ) : null}
          {state.slot.status === 'loading' ? (
            <div className="viewer-loading" data-testid="viewer-loading">
              {t('viewer.loading')}
            </div>
          ) : null}
        </div>

        {/* The list keeps its height when it fills, so the image never moves under a measuring pointer.
            The button that clears the list sits beside it, which keeps the toolbar short. */}
        <section className="viewer-measurements" aria-label={t('viewer.measurements')} data-testid="viewer-measurements">
          {state.measurements.length === 0 ? (
            <p className="viewer-measurements__empty">{t('viewer.measurementsNone')}</p>
          ) : (
            <ul className="viewer-measurements__list">
              {state.measurements.map((measurement, position) => (
                <li key={position} data-kind={measurement.kind} data-testid="viewer-measurement">
                  {measurementText(measurement, state.facts?.valueUnit ?? null)}
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="viewer-toolbar__button viewer-measurements__clear" data-testid="viewer-clear-measurements" onClick={actions.clearMeasurements}>
            {t('viewer.clearMeasurements')}
          </button>
        </section>
      </div>

      {tagsOpen ? <TagBrowser dataSet={dataSet} /> : null}
    </section>
  );
}
