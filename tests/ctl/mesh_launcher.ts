/**
 * `mass mesh-mcp` for tests, until mass.ts carries the subcommand: same argv after the
 * script path (`mesh-mcp --socket …`).
 */
import { Command } from "@commander-js/extra-typings";
import { meshMcpCommand } from "../../runner/mesh/mesh_cli.ts";

if (import.meta.main) {
  await new Command("mass").addCommand(meshMcpCommand()).parseAsync(Deno.args, { from: "user" });
}
