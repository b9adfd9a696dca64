// A progress line on stderr for work that takes over a second, and only when stderr is a terminal.
import type { CliIo } from './io.js';

export interface ProgressLine {
  /** Replaces the line with `text` (nothing until a second has passed, or when stderr is not a terminal). */
  show: (text: string) => void;
  /** Clears the line, if one was shown. */
  done: () => void;
}

export function createProgress(io: CliIo): ProgressLine {
  const now = io.now ?? Date.now;
  const started = now();
  let shown = false;
  return {
    show: (text) => {
      if (!io.stderrIsTty || now() - started < 1000) return;
      shown = true;
      io.stderr(`\r\u001b[K${text}`);
    },
    done: () => {
      if (shown) io.stderr('\r\u001b[K');
      shown = false;
    },
  };
}
