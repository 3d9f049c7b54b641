import { useState } from 'react';
import { closeShare, createShareLink, shareBlocked } from '../../state/share-actions';
import { useWorkbench } from '../hooks';

/** The top bar's Share button and the panel with the link it makes (copy, size, what it holds). */
export function ShareButton() {
  const blocked = useWorkbench(shareBlocked);
  const share = useWorkbench((s) => s.share);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    if (!share.url) return;
    try {
      await navigator.clipboard.writeText(share.url);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard permission: the link is selectable in the field
    }
  };
  return (
    <>
      <button
        type="button"
        className="share-button"
        data-testid="share-button"
        disabled={blocked !== null || share.status === 'working'}
        title={blocked ?? 'A link that opens this comparison on another machine'}
        onClick={() => {
          setCopied(false);
          void createShareLink();
        }}
      >
        Share
      </button>
      {(share.status === 'ready' || share.status === 'error') && (
        <div className="share-panel" data-testid="share-panel" role="dialog" aria-label="Share link">
          {share.error ? (
            <p data-testid="share-error">Could not make a link: {share.error}</p>
          ) : (
            <>
              <p>
                {share.runs} finished run{share.runs === 1 ? '' : 's'}, the dataset&apos;s name and checksum, the
                baseline; {(share.chars / 1000).toFixed(1)} k characters. The data stays here: whoever opens the link
                loads it themselves.
              </p>
              <input
                data-testid="share-link"
                readOnly
                value={share.url ?? ''}
                onFocus={(e) => e.currentTarget.select()}
                aria-label="Share link"
              />
            </>
          )}
          <div className="buttons">
            {share.url && (
              <button type="button" className="primary" data-testid="share-copy" onClick={() => void copy()}>
                {copied ? 'Copied' : 'Copy link'}
              </button>
            )}
            <button type="button" onClick={closeShare}>
              Close
            </button>
          </div>
        </div>
      )}
    </>
  );
}
