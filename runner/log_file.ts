/**
 * `<bundle>/agent-run.log`: the agent-run's own log lines and the agent's stderr, appended
 * in arrival order. One rotation (`.1`) when the file is over its size cap at open.
 */
import { defaultTextFormatter, type LogRecord } from "@logtape/logtape";

export const DEFAULT_LOG_MAX_BYTES = 100 * 1024 * 1024;

/**
 * `<bundle>/agent-run.log`, appended in call order; open it with `LogFile.open`, which rotates an
 * oversized file first.
 */
export class LogFile {
  readonly #file: Deno.FsFile;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  static async open(path: string, maxBytes = DEFAULT_LOG_MAX_BYTES): Promise<LogFile> {
    try {
      if ((await Deno.stat(path)).size > maxBytes) await Deno.rename(path, `${path}.1`);
    } catch {
      // no log yet
    }
    const file = await Deno.open(path, { append: true, create: true, mode: 0o600 });
    return new LogFile(file);
  }

  /** Appends bytes after everything already queued; resolves when written. */
  write(data: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const p = this.#chain.then(async () => {
      let off = 0;
      while (off < data.length) off += await this.#file.write(data.subarray(off));
    });
    this.#chain = p.catch(() => {});
    return this.#chain;
  }

  /** A logtape sink writing text lines here. */
  sink(): (record: LogRecord) => void {
    const enc = new TextEncoder();
    return (record) => void this.write(enc.encode(defaultTextFormatter(record)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#chain;
    this.#closed = true;
    this.#file.close();
  }
}
