import { TopBar } from './TopBar';
import { DataPanel } from './DataPanel';
import { RunPanel } from './RunPanel';
import { Charts } from './Charts';
import { useWorkbench } from './hooks';

export function App() {
  const notice = useWorkbench((s) => s.notice);
  return (
    <div className="app">
      <TopBar />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <main className="layout">
        <DataPanel />
        <Charts />
        <RunPanel />
      </main>
    </div>
  );
}
