#!/usr/bin/env -S deno run -A
/**
 * massctl: the command-line client of the mass daemon (`deno task massctl …`).
 *
 * Install: deno install -g -A -n massctl --config deno.json ctl/main.ts
 */
import type { CliDeps, CliIO } from "./cli/app.ts";
import { fileURLToPath as fromFileUrl } from "node:url";
import { callerCwd } from "./cli/caller_cwd.ts";
import { runCli } from "./cli/program.ts";

const encoder = new TextEncoder();

/** Writes all of `text`; a closed pipe (e.g. `| head`) ends the program quietly. */
function writer(file: typeof Deno.stdout | typeof Deno.stderr): (text: string) => void {
  return (text) => {
    let buf = encoder.encode(text);
    try {
      while (buf.length > 0) buf = buf.subarray(file.writeSync(buf));
    } catch (err) {
      if (err instanceof Deno.errors.BrokenPipe) Deno.exit(0);
      throw err;
    }
  };
}

/** CliDeps over the real process: stdio, environment, cwd, clock and interactive prompts. */
export function systemDeps(): CliDeps {
  const io: CliIO = {
    out: writer(Deno.stdout),
    err: writer(Deno.stderr),
    stdinIsTerminal: Deno.stdin.isTerminal(),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  };
  return {
    io,
    env: (key) => Deno.env.get(key),
    cwd: () => Deno.cwd(),
    now: () => new Date(),
    confirm: async (message) => {
      const [{ confirm }, { default: process }] = await Promise.all([
        import("@inquirer/prompts"),
        import("node:process"),
      ]);
      try {
        return await confirm({ message, default: false }, { output: process.stderr });
      } catch (err) {
        // Ctrl-C at the question is a "no", not a failure worth a message of its own.
        if (err instanceof Error && err.name === "ExitPromptError") return false;
        throw err;
      }
    },
  };
}

if (import.meta.main) {
  const dir = callerCwd(
    Deno.env.get("INIT_CWD"),
    Deno.cwd(),
    fromFileUrl(new URL("../", import.meta.url)),
  );
  // Every relative path (files read, --path, compose run's workspace) then means the caller's.
  if (dir !== Deno.cwd()) Deno.chdir(dir);
  Deno.exit(await runCli(Deno.args, systemDeps()));
}
