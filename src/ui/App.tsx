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
