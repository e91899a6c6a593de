import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { getApi } from './lib/api.js';
import { createAppStore } from './store/app.js';
import { StoreProvider } from './store/context.js';
import './styles/app.css';

const root = createRoot(document.getElementById('root')!);

async function boot() {
  root.render(<div className="boot">Connecting to the engine…</div>);
  try {
    const { api, browserMode } = await getApi();
    const store = createAppStore(api, { browserMode });
    root.render(
      <StrictMode>
        <ErrorBoundary>
          <StoreProvider store={store}>
            <App />
          </StoreProvider>
        </ErrorBoundary>
      </StrictMode>,
    );
    void store.getState().init();
  } catch (e) {
    root.render(
      <div className="boot boot-error" role="alert">
        <h1>Cannot reach the engine</h1>
        <p>{e instanceof Error ? e.message : String(e)}</p>
        <button type="button" className="btn primary" onClick={() => location.reload()}>Try again</button>
      </div>,
    );
  }
}

void boot();
