/**
 * A one-line progress spinner on stderr, for `--wait` operations. It draws only on a
 * terminal; in a pipe it is silent, so scripts see nothing but the command's output.
 */

export interface Spinner {
  /** Replaces the text next to the spinner. */
  update(text: string): void;
  /** Clears the spinner line; with `finalText`, leaves that line behind instead. */
  stop(finalText?: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const INTERVAL_MS = 80;

export interface SpinnerOptions {
  /** Where to draw (normally stderr). */
  write: (text: string) => void;
  /** Whether `write` goes to a terminal; when false the spinner does nothing. */
  isTerminal: boolean;
}

const SILENT: Spinner = { update() {}, stop() {} };

/**
 * Draws a spinner with `text` until `stop`; on a non-terminal it returns a spinner that draws
 * nothing, so piped output stays clean.
 */
export function startSpinner(text: string, opts: SpinnerOptions): Spinner {
  if (!opts.isTerminal) return SILENT;
  let frame = 0;
  let current = text;
  let stopped = false;
  const draw = () => opts.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  draw();
  const timer = setInterval(draw, INTERVAL_MS);
  return {
    update(next) {
      current = next;
    },
    stop(finalText) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      opts.write("\r\x1b[2K" + (finalText ? `${finalText}\n` : ""));
    },
  };
}
