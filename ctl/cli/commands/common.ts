/**
 * Options and helpers shared by several nouns.
 */
import { Option } from "@commander-js/extra-typings";
import type { App } from "../app.ts";
import { parseDuration } from "../duration.ts";
import { CliError } from "../errors.ts";
import { OUTPUT_FORMATS, type OutputFormat, renderObjects, type TableRenderer } from "../output.ts";
import type { Spinner } from "../spinner.ts";

/** `-o, --output table|wide|json|yaml` (default table). */
export function outputOption() {
  return new Option("-o, --output <format>", "output format")
    .choices(OUTPUT_FORMATS)
    .default("table" as OutputFormat);
}

/** `-o, --output text|json|yaml` for commands that change something (default text). */
export function resultOption() {
  return new Option("-o, --output <format>", "text: one line; json or yaml: the object only")
    .choices(RESULT_FORMATS)
    .default("text" as ResultFormat);
}

export const RESULT_FORMATS = ["text", "json", "yaml"] as const;
export type ResultFormat = typeof RESULT_FORMATS[number];

/**
 * What a create/apply/restart prints: one line for a person, or the object alone (so
 * `| jq` works) with `-o json|yaml`.
 */
export async function printResult(
  app: App,
  format: ResultFormat,
  line: string,
  value: unknown,
): Promise<void> {
  if (format === "json") printJson(app, value);
  else if (format === "yaml") app.out(await yamlOf(value));
  else app.line(line);
}

/** `value` as YAML; the yaml package is loaded only by the commands that print it. */
export async function yamlOf(value: unknown): Promise<string> {
  const { toYaml } = await import("../to_yaml.ts");
  return toYaml(value);
}

/** `--timeout <duration>` for waits. */
export function timeoutOption(defaultValue: string, what = "wait") {
  return new Option("--timeout <duration>", `how long to ${what} (e.g. 30s, 10m)`)
    .default(defaultValue)
    .argParser((v) => {
      parseDuration(v, "--timeout");
      return v;
    });
}

/** Prints objects: JSON/YAML bare for one named object, `{kind: "List"}` otherwise. */
export async function printObjects<T>(
  app: App,
  items: readonly T[],
  table: TableRenderer<T>,
  format: OutputFormat,
  single: boolean,
): Promise<void> {
  const toYaml = format === "yaml" ? (await import("../to_yaml.ts")).toYaml : undefined;
  app.out(renderObjects(items, table, { format, single, now: app.deps.now(), toYaml }));
}

/** Prints `value` on stdout as indented JSON. */
export function printJson(app: App, value: unknown): void {
  app.out(JSON.stringify(value, null, 2) + "\n");
}

/** Runs `fn` with a spinner on stderr (only on a terminal). */
export async function withSpinner<T>(
  app: App,
  text: string,
  fn: (sp: Spinner) => Promise<T>,
): Promise<T> {
  const sp = app.spinner(text);
  try {
    return await fn(sp);
  } finally {
    sp.stop();
  }
}

/** `-w` is required whenever run names are given. */
export function requireWorkspace(ws: string | undefined, what: string): string {
  if (!ws) throw new CliError(`${what}: --workspace (-w) is required`);
  return ws;
}

/** Parses `--flag=true|false` style values. */
export function parseBool(value: string, flag: string): boolean {
  const v = value.toLowerCase();
  if (["true", "1", "yes", "t"].includes(v)) return true;
  if (["false", "0", "no", "f"].includes(v)) return false;
  throw new CliError(`invalid value ${JSON.stringify(value)} for ${flag}: use true or false`);
}

/** Parses a non-negative integer flag. */
export function parseIntFlag(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) {
      throw new CliError(`invalid value ${JSON.stringify(value)} for ${flag}: expected an integer`);
    }
    return Number(value);
  };
}

/** A prompt's text as ACP content blocks. */
export function promptBlocks(text: string): { type: "text"; text: string }[] {
  return [{ type: "text", text }];
}
