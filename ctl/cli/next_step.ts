/**
 * The daemon's error messages keep the original's wording ("agent ws/name not found"); the
 * CLI knows what the user asked for, so it names that thing and says what to do next.
 */
import { AriError } from "../client/errors.ts";
import { CliError } from "./errors.ts";

interface Rewrite {
  pattern: RegExp;
  message: (m: RegExpMatchArray) => string;
}

const REWRITES: readonly Rewrite[] = [
  {
    pattern: /^agent ([^/\s]+)\/(\S+) not found$/,
    message: ([, ws, name]) =>
      `agent run ${ws}/${name} not found (list the runs: massctl agentrun get -w ${ws})`,
  },
  {
    pattern: /^agent ([^/\s]+)\/(\S+) is (\w+); stop it before deleting/,
    message: ([, ws, name, phase]) =>
      `agent run ${ws}/${name} is ${phase}: stop it first (massctl agentrun stop ${name} ` +
      `-w ${ws}), or delete it with --force`,
  },
  {
    pattern: /^agentrun ([^/\s]+)\/(\S+) already exists$/,
    message: ([, ws, name]) =>
      `agent run ${ws}/${name} already exists: restart it (massctl agentrun restart ${name} ` +
      `-w ${ws}) or delete it first (massctl agentrun delete ${name} -w ${ws} --force)`,
  },
  {
    pattern: /^workspace (\S+) not found$/,
    message: ([, ws]) => `workspace ${ws} not found (list them: massctl workspace get)`,
  },
  {
    pattern: /^agent ([^/\s]+) not found$/,
    message: ([, name]) => `agent ${name} not found (list them: massctl agent get)`,
  },
];

/** `err` with its message naming what the user typed and the next step, when we know one. */
export function withNextStep(err: unknown): unknown {
  if (!(err instanceof AriError)) return err;
  for (const { pattern, message } of REWRITES) {
    const m = err.message.match(pattern);
    if (m) return new CliError(message(m));
  }
  return err;
}
