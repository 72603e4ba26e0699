/**
 * Shortens a value a client sent before it goes into an error message or a log line, so a
 * 4 MB field does not come back (or land in the log) whole.
 *
 * @example
 * ```ts
 * clip("x".repeat(100)); // "xxx…xx… (100 chars)": 80 characters, then the full length
 * ```
 */
export function clip(value: string, max = 80): string {
  if (value.length <= max) return value;
  // Do not cut a surrogate pair in half.
  let end = max;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${value.slice(0, end)}… (${value.length} chars)`;
}
