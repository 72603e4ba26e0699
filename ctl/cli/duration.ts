/**
 * Durations on the command line: `500ms`, `30s`, `10m`, `1h`, `1h30m`, or a bare number of
 * seconds.
 */
import { CliError } from "./errors.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a duration into milliseconds; throws a CliError naming the flag when it is bad. */
export function parseDuration(text: string, flag = "duration"): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    end = (m.index ?? 0) + m[0].length;
  }
  if (s.length === 0 || end !== s.length) {
    throw new CliError(`invalid ${flag} ${JSON.stringify(text)}: use e.g. 30s, 10m, 1h`);
  }
  return Math.round(total);
}

/** Short human form of a duration: `90s` → `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let secs = Math.round(ms / 1000);
  const h = Math.floor(secs / 3600);
  secs -= h * 3600;
  const m = Math.floor(secs / 60);
  secs -= m * 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${secs || (!h && !m) ? `${secs}s` : ""}`;
}
