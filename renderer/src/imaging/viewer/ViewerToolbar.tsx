import type { WindowPreset } from '../../../../preload/api/imaging-presets.js';
import type { PlainMessageKey } from '../../i18n/index.js';
import { t } from '../../i18n/index.js';
import type { LeftButtonTool } from './viewer-tools.js';
import { LEFT_BUTTON_TOOLS } from './viewer-tools.js';

const TOOL_LABELS: Record<LeftButtonTool, PlainMessageKey> = {
  Wwwc: 'viewer.tool.window',
  Pan: 'viewer.tool.pan',
  Zoom: 'viewer.tool.zoom',
  Length: 'viewer.tool.length',
  Angle: 'viewer.tool.angle',
  EllipticalRoi: 'viewer.tool.ellipse',
};

const PRESET_LABELS: Record<string, PlainMessageKey> = {
  brain: 'viewer.preset.brain',
  subdural: 'viewer.preset.subdural',
  stroke: 'viewer.preset.stroke',
  lung: 'viewer.preset.lung',
  mediastinum: 'viewer.preset.mediastinum',
  abdomen: 'viewer.preset.abdomen',
  liver: 'viewer.preset.liver',
  bone: 'viewer.preset.bone',
};

/** Returns the catalog's label of a default preset, or the configured name of any other. */
export function presetLabel(preset: WindowPreset): string {
  const key = PRESET_LABELS[preset.id];
  return key === undefined ? preset.name : t(key);
}

export interface ViewerToolbarProps {
  tool: LeftButtonTool;
  presets: readonly WindowPreset[];
  /** The preset whose window is shown now, or null after dragging to another window. */
  activePresetId: string | null;
  cinePlaying: boolean;
  framesPerSecond: number;
  tagsOpen: boolean;
  onTool(tool: LeftButtonTool): void;
  onPreset(preset: WindowPreset): void;
  onInvert(): void;
  onRotate(): void;
  onFlipHorizontal(): void;
  onFlipVertical(): void;
  onReset(): void;
  onCine(playing: boolean): void;
  onFramesPerSecond(value: number): void;
  onTags(open: boolean): void;
}

/** Renders the viewer's tools: the left-button tool, window presets, orientation, cine and the tag browser. */
export function ViewerToolbar(props: ViewerToolbarProps) {
  return (
    <div className="viewer-toolbar" role="toolbar" aria-label={t('viewer.toolbar')}>
      <div className="viewer-toolbar__group" role="group" aria-label={t('viewer.toolGroup')}>
        {LEFT_BUTTON_TOOLS.map((tool) => (
          <button
            key={tool}
            type="button"
            className={`viewer-toolbar__button${props.tool === tool ? ' viewer-toolbar__button--active' : ''}`}
            aria-pressed={props.tool === tool}
            data-testid={`viewer-tool-${tool}`}
            onClick={() => props.onTool(tool)}
          >
            {t(TOOL_LABELS[tool])}
          </button>
        ))}
      </div>

      <label className="viewer-toolbar__field">
        <span>{t('viewer.presets')}</span>
        <select
          data-testid="viewer-preset"
          value={props.activePresetId ?? ''}
          onChange={(event) => {
            const preset = props.presets.find((candidate) => candidate.id === event.target.value);
            if (preset !== undefined) props.onPreset(preset);
          }}
        >
          <option value="">{t('viewer.presetChoose')}</option>
          {props.presets.map((preset, index) => (
            <option key={preset.id} value={preset.id}>
              {index < 9 ? t('viewer.presetOptionKey', { key: index + 1, name: presetLabel(preset), width: preset.width, center: preset.center }) : t('viewer.presetOption', { name: presetLabel(preset), width: preset.width, center: preset.center })}
            </option>
          ))}
        </select>
      </label>

      <div className="viewer-toolbar__group" role="group" aria-label={t('viewer.orientationGroup')}>
        <button type="button" className="viewer-toolbar__button" data-testid="viewer-invert" onClick={props.onInvert}>
          {t('viewer.invert')}
        </button>
        <button type="button" className="viewer-toolbar__button" data-testid="viewer-rotate" onClick={props.onRotate}>
          {t('viewer.rotate')}
        </button>
        <button type="button" className="viewer-toolbar__button" data-testid="viewer-flip-horizontal" onClick={props.onFlipHorizontal}>
          {t('viewer.flipHorizontal')}
        </button>
        <button type="button" className="viewer-toolbar__button" data-testid="viewer-flip-vertical" onClick={props.onFlipVertical}>
          {t('viewer.flipVertical')}
        </button>
        <button type="button" className="viewer-toolbar__button" data-testid="viewer-reset" onClick={props.onReset}>
          {t('viewer.reset')}
        </button>
      </div>

      <div className="viewer-toolbar__group" role="group" aria-label={t('viewer.cineGroup')}>
        <button
          type="button"
          className={`viewer-toolbar__button${props.cinePlaying ? ' viewer-toolbar__button--active' : ''}`}
          aria-pressed={props.cinePlaying}
          data-testid="viewer-cine"
          onClick={() => props.onCine(!props.cinePlaying)}
        >
          {props.cinePlaying ? t('viewer.cineStop') : t('viewer.cinePlay')}
        </button>
        <label className="viewer-toolbar__field">
          <span>{t('viewer.framesPerSecond')}</span>
          <input
            type="number"
            min={1}
            max={60}
            step={1}
            value={props.framesPerSecond}
            data-testid="viewer-fps"
            onChange={(event) => {
              const value = Number(event.target.value);
              if (Number.isFinite(value) && value >= 1 && value <= 60) props.onFramesPerSecond(Math.round(value));
            }}
          />
        </label>
      </div>

      <div className="viewer-toolbar__group">
        <button
          type="button"
          className={`viewer-toolbar__button${props.tagsOpen ? ' viewer-toolbar__button--active' : ''}`}
          aria-pressed={props.tagsOpen}
          data-testid="viewer-tags-toggle"
          onClick={() => props.onTags(!props.tagsOpen)}
        >
          {t('viewer.tags')}
        </button>
      </div>
    </div>
  );
}
