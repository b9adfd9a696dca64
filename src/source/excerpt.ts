// Shows a source line with a caret under a column, for terminal output.
import { decodeForDisplay } from './decodeSpecText.js';

const widest = 120;

/**
 * Two lines: the source line (a window of it if long) and a caret under `column`. Tabs are kept on the caret line
 * so the caret stays aligned; control and bidi characters are replaced so a file cannot drive the terminal.
 * Empty if there is no such line.
 */
export function excerpt(bytes: Uint8Array, line: number, column: number): string {
  if (line < 1) return '';
  const text = decodeForDisplay(bytes);
  let start = 0;
  for (let current = 1; current < line; current++) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) return '';
    start = newline + 1;
  }
  const end = text.indexOf('\n', start);
  let source = text.slice(start, end === -1 ? text.length : end);
  let at = Math.min(Math.max(column, 1), source.length + 1) - 1;
  if (source.length > widest) {
    const from = Math.max(0, Math.min(at - widest / 2, source.length - widest));
    const head = from > 0 ? '…' : '';
    const tail = from + widest < source.length ? '…' : '';
    source = head + source.slice(from, from + widest) + tail;
    at = at - from + head.length;
  }
  // eslint-disable-next-line no-control-regex -- replacing control characters is the point
  source = source.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
  const pad = Array.from(source.slice(0, at), (character) => (character === '\t' ? '\t' : ' ')).join('');
  return `${source}\n${pad}^`;
}
