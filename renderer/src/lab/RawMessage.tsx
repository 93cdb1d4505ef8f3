import { t } from '../i18n/index.js';
import { splitRawMessage } from './raw-message.js';

/**
 * Shows an archived message as the core renders it: monospace, one record or segment per line,
 * control characters by name (`<STX>`, `<CR>`) set apart from the text the analyzer sent.
 */
export function RawMessage({ raw }: { raw: string }) {
  return (
    <section className="lab-section" aria-labelledby="lab-raw-title">
      <h2 id="lab-raw-title" className="section-title">
        {t('lab.detail.raw')}
      </h2>
      <p className="muted lab-section__intro">{t('lab.detail.rawHint')}</p>
      <pre className="lab-raw" data-testid="lab-raw" tabIndex={0} aria-labelledby="lab-raw-title">
        {splitRawMessage(raw).map((piece, index) =>
          piece.kind === 'control' ? (
            <span key={index} className="lab-raw__control">
              {piece.text}
            </span>
          ) : (
            piece.text
          ),
        )}
      </pre>
    </section>
  );
}
