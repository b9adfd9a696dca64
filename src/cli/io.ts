// What the CLI needs from the outside world, passed in so tests can run it in-process too.

export interface CliIo {
  /** Writes to stdout; never throws: a failed write is kept for `stdoutFailure`, and later writes are dropped. */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** stdout / stderr are terminals: colours, caret excerpts and progress only then. */
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  /** The clock, in milliseconds (default Date.now): when a build has taken long enough to show progress. */
  now?: () => number;
  /** Once everything written so far is flushed: the first error writing stdout (EPIPE, ENOSPC…), if any. */
  stdoutFailure?: () => Promise<NodeJS.ErrnoException | undefined>;
  /**
   * Resolves when the process is asked to stop (SIGINT, SIGTERM), with the signal's name: a command that runs until
   * then (`spec serve`) closes and returns. Absent: it runs until the process ends.
   */
  stopRequested?: () => Promise<string>;
}
