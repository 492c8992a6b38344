// The panel's one line of index state. A percentage shows only beside a chunk count that has grown: "Indexing… 40%
// (0 chunks so far)" read as stuck, because a first pass commits its chunks late (issue 10).
import type { PanelIndexState } from './messages';

export function stateText(index: PanelIndexState): string {
  switch (index.state) {
    case 'ready': return `Indexed: ${index.files} files, ${index.chunks} chunks`;
    case 'indexing': return indexingText(index);
    case 'loading': return 'Loading the index…';
    case 'notIndexed': return 'Not indexed yet: searching indexes the project first, or press Re-index.';
    case 'connecting': return 'Connecting to the ccc daemon…';
    case 'stopped': return 'The ccc daemon is stopped: it starts again on the next search or re-index.';
    case 'noFolder': return 'Open a folder to search its code.';
    case 'unreachable': return `The ccc daemon is not reachable: ${index.message ?? 'see "ccc: Show Daemon Log"'}`;
    case 'error': return `Index error: ${index.message ?? 'see "ccc: Show Daemon Log"'}. Fix it, then press Re-index.`;
  }
}

function indexingText(index: PanelIndexState): string {
  if (index.chunks === 0) return 'Indexing… (reading files; results may be partial)';
  const percentage = index.percentage === undefined ? '' : ` ${index.percentage}%`;
  return `Indexing…${percentage} (${index.chunks} chunks so far)`;
}
