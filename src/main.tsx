import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { loadSample } from './state/data-actions';
import { restoreRuns } from './state/persist';
import { openSharedFromLocation } from './state/share-actions';
import { startApp } from './state/app';
import './ui/app.css';

// The run queue and the sweep, with the workers as their services.
startApp();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void loadSample();
// A share link's runs join after the stored ones, so that none is added twice.
void restoreRuns().then(openSharedFromLocation);
// A share link pasted into the address bar of an open workbench changes only the fragment.
window.addEventListener('hashchange', () => void openSharedFromLocation());
