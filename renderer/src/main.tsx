import './zod-jitless.js';
import './styles/app.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { ApiProvider } from './api/ApiContext.js';
import { App } from './app/App.js';
import { MissingTokenPage } from './app/MissingTokenPage.js';
import { ConnectionProvider } from './host/ConnectionContext.js';
import { resolveApi } from './host/resolve-api.js';
import { setLocale, t } from './i18n/index.js';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');

setLocale(navigator.language);
document.title = t('app.title');

const resolution = resolveApi();
createRoot(container).render(
  <StrictMode>
    {resolution.kind === 'ready' ? (
      <ApiProvider api={resolution.api}>
        <ConnectionProvider monitor={resolution.connection}>
          <App />
        </ConnectionProvider>
      </ApiProvider>
    ) : (
      <MissingTokenPage />
    )}
  </StrictMode>,
);
