import { TopBar } from './TopBar';
import { DataPanel } from './DataPanel';
import { RunPanel } from './RunPanel';
import { Charts } from './Charts';
import { ResultsTable } from './compare/ResultsTable';
import { QueuePanel } from './run/QueuePanel';
import { useWorkbench } from './hooks';
import { SharedBanner } from './share/SharedBanner';
import './workbench.css';

/**
 * The screen: data on the left, the comparison (charts, results) in the middle, the run
 * configuration on the right, and the queue bar along the bottom. The grid reflows to two
 * columns, then one, on narrower screens.
 */
export function App() {
  const notice = useWorkbench((s) => s.notice);
  return (
    <div className="app">
      {/* The first Tab stop: past the data panel and the charts, straight to the run settings and Train. */}
      <a
        className="skip-link"
        href="#run-heading"
        data-testid="skip-to-run"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('run-heading')?.focus();
        }}
      >
        Skip to the Run form
      </a>
      <TopBar />
      <SharedBanner />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <main className="layout workbench">
        <div className="area-data">
          <DataPanel />
        </div>
        <div className="area-compare">
          <Charts />
          <ResultsTable />
        </div>
        <div className="area-run">
          <RunPanel />
        </div>
      </main>
      <QueuePanel />
    </div>
  );
}
