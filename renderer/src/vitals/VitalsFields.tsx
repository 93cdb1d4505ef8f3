import type { ReactNode } from 'react';

import type { News2Parameter } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';
import { VitalField, errorId, hintId } from './VitalField.js';
import type { NumericParameter, VitalsDraft } from './vitals-draft.js';
import { CONSCIOUSNESS_LEVELS } from './vitals-draft.js';

interface VitalsFieldsProps {
  idPrefix: string;
  draft: VitalsDraft;
  subScores: Partial<Record<News2Parameter, number>>;
  errors: Partial<Record<News2Parameter, string>>;
  /** The patient's SpO2 scale, shown beside the SpO2 input. */
  spo2ScaleText: string;
  spo2ScaleIs2: boolean;
  onChange(parameter: News2Parameter, value: string): void;
  onBlur(parameter: News2Parameter): void;
}

export function fieldId(idPrefix: string, parameter: News2Parameter): string {
  return `${idPrefix}-${parameter}`;
}

/** Renders the seven NEWS2 inputs in the order of the RCP chart. */
export function VitalsFields(props: VitalsFieldsProps) {
  const { idPrefix, draft, subScores, errors, onChange, onBlur } = props;

  function errorProps(parameter: News2Parameter) {
    const id = fieldId(idPrefix, parameter);
    const invalid = errors[parameter] !== undefined;
    const describedBy = [parameter === 'spo2' ? hintId(id) : null, invalid ? errorId(id) : null].filter((value) => value !== null);
    return { 'aria-invalid': invalid, 'aria-describedby': describedBy.length > 0 ? describedBy.join(' ') : undefined };
  }

  function numberInput(parameter: NumericParameter) {
    return (
      <input
        id={fieldId(idPrefix, parameter)}
        className="input input--number"
        data-testid={`vitals-${parameter}`}
        inputMode={parameter === 'temperature' ? 'decimal' : 'numeric'}
        autoComplete="off"
        value={draft[parameter]}
        onChange={(event) => onChange(parameter, event.target.value)}
        onBlur={() => onBlur(parameter)}
        {...errorProps(parameter)}
      />
    );
  }

  function field(parameter: News2Parameter, control: ReactNode, unit?: string, hint?: string, emphasiseHint?: boolean) {
    return (
      <VitalField
        key={parameter}
        parameter={parameter}
        inputId={fieldId(idPrefix, parameter)}
        unit={unit}
        hint={hint}
        emphasiseHint={emphasiseHint}
        subScore={subScores[parameter]}
        error={errors[parameter]}
      >
        {control}
      </VitalField>
    );
  }

  return (
    <div className="vitals-fields">
      {field('respiratoryRate', numberInput('respiratoryRate'), t('vitals.unit.respiratoryRate'))}
      {field('spo2', numberInput('spo2'), t('vitals.unit.spo2'), props.spo2ScaleText, props.spo2ScaleIs2)}
      {field(
        'onOxygen',
        <select
          id={fieldId(idPrefix, 'onOxygen')}
          className="select"
          data-testid="vitals-onOxygen"
          value={draft.onOxygen}
          onChange={(event) => onChange('onOxygen', event.target.value)}
          onBlur={() => onBlur('onOxygen')}
          {...errorProps('onOxygen')}
        >
          <option value="">{t('vitals.oxygen.choose')}</option>
          <option value="air">{t('vitals.oxygen.air')}</option>
          <option value="oxygen">{t('vitals.oxygen.oxygen')}</option>
        </select>,
      )}
      {field('systolicBloodPressure', numberInput('systolicBloodPressure'), t('vitals.unit.systolicBloodPressure'))}
      {field('pulse', numberInput('pulse'), t('vitals.unit.pulse'))}
      {field(
        'consciousness',
        <select
          id={fieldId(idPrefix, 'consciousness')}
          className="select"
          data-testid="vitals-consciousness"
          value={draft.consciousness}
          onChange={(event) => onChange('consciousness', event.target.value)}
          onBlur={() => onBlur('consciousness')}
          {...errorProps('consciousness')}
        >
          <option value="">{t('vitals.consciousness.choose')}</option>
          {CONSCIOUSNESS_LEVELS.map((level) => (
            <option key={level} value={level}>
              {`${level}: ${t(`vitals.consciousness.${level}`)}`}
            </option>
          ))}
        </select>,
      )}
      {field('temperature', numberInput('temperature'), t('vitals.unit.temperature'))}
    </div>
  );
}
