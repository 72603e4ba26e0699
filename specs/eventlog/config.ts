/**
 * config.json, the bundle's run description: written by agentd, read by `mass run` (which
 * refuses a bad one) and by agentd again (which only wants what it wrote). Format:
 * specs/runtime.md; schema: RuntimeConfigSchema.
 *
 * @module
 */
import { describeZodIssues } from "../lib/describe_zod_issues.ts";
import { type RuntimeConfig, RuntimeConfigSchema } from "../runtime.ts";

/** A config.json that cannot be used; `message` is one line, fit for stderr. */
export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigFileError";
  }
}

/**
 * Parses and validates config.json text, defaults filled in. Throws ConfigFileError:
 * `config.json is not valid JSON: ...` or `config.json: <field>: <problem>`.
 *
 * @example
 * ```ts
 * import { parseConfigText } from "./config.ts";
 * const config = parseConfigText(await Deno.readTextFile("/tmp/run/config.json"));
 * console.log(config.process.command);
 * ```
 */
export function parseConfigText(text: string): RuntimeConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(`config.json is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = RuntimeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigFileError(`config.json: ${describeZodIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

/**
 * Reads, parses and validates the config.json at `path`; an unreadable file is a
 * ConfigFileError too (`cannot read <path>: ...`).
 *
 * @example
 * ```ts
 * import { readConfigFile } from "./config.ts";
 * const config = await readConfigFile("/tmp/run/config.json").catch(() => undefined);
 * ```
 */
export async function readConfigFile(path: string): Promise<RuntimeConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new ConfigFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseConfigText(text);
}
