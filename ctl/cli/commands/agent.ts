/**
 * `massctl agent get|apply|delete`: agent definitions (command, args, env).
 */
import { Command } from "@commander-js/extra-typings";
import type { Agent } from "../../../specs/ari.ts";
import type { App } from "../app.ts";
import type { AgentInput, AriClient } from "../../client/ari_client.ts";
import { CliError, isNotFound } from "../errors.ts";
import { agentTable } from "../output.ts";
import { outputOption, parseBool, printObjects, printResult, resultOption } from "./common.ts";

/** `massctl agent`: get, apply and delete agent definitions. */
export function agentCommand(app: App) {
  const agent = new Command("agent").description("manage agent definitions");

  agent.command("get")
    .description("list agents, or show the named ones")
    .argument("[names...]", "agent names")
    .addOption(outputOption())
    .action(async (names, opts) => {
      const client = await app.client();
      const items = names.length > 0
        ? await Promise.all(names.map((n) => client.agentGet(n)))
        : (await client.agentList()).items;
      await printObjects(app, items, agentTable, opts.output, names.length === 1);
    });

  agent.command("apply")
    .description("create or update an agent from a YAML file, or enable/disable one by name")
    .argument("[name]", "agent to enable or disable (with --disabled)")
    .option("-f, --file <file>", "YAML Agent object ('-' for stdin)")
    .option("--disabled [bool]", "disable the agent (--disabled=false enables it)")
    .addOption(resultOption())
    .action(async (nameArg, opts) => {
      // `--disabled NAME` (flag before the name) must not swallow the name as its value.
      let name = nameArg;
      let flag = opts.disabled;
      if (typeof flag === "string" && !name && !isBoolText(flag)) {
        name = flag;
        flag = true;
      }
      if (opts.file && name) {
        throw new CliError("agent apply: use either -f FILE or NAME, not both");
      }
      if (!opts.file && !name) throw new CliError("agent apply: -f FILE or NAME is required");
      const client = await app.client();
      if (opts.file) {
        // zod and yaml are loaded only by the commands that read a file.
        const [{ AgentSchema }, { parseYamlWith, readInputFile }] = await Promise.all([
          import("../../../specs/ari.ts"),
          import("../yaml_file.ts"),
        ]);
        const text = await readInputFile(opts.file);
        const input = parseYamlWith(AgentSchema, text, opts.file === "-" ? "stdin" : opts.file);
        const { agent, created } = await createOrUpdate(client, input);
        const verb = created ? "created" : "configured";
        await printResult(app, opts.output, `agent "${agent.metadata.name}" ${verb}`, agent);
        return;
      }
      const disabled = typeof flag === "string" ? parseBool(flag, "--disabled") : flag === true;
      const current = await client.agentGet(name!);
      const updated = await client.agentUpdate({
        metadata: current.metadata,
        spec: { ...current.spec, disabled },
      });
      const verb = disabled ? "disabled" : "enabled";
      await printResult(app, opts.output, `agent "${updated.metadata.name}" ${verb}`, updated);
    });

  agent.command("delete")
    .description("delete agents")
    .argument("<names...>", "agent names")
    .action(async (names) => {
      const client = await app.client();
      for (const n of names) {
        await client.agentDelete(n);
        app.line(`agent "${n}" deleted`);
      }
    });

  return agent;
}

function isBoolText(s: string): boolean {
  return /^(true|false|1|0|yes|no|t|f)$/i.test(s);
}

/** Create; if the agent already exists, update it instead. */
async function createOrUpdate(
  client: AriClient,
  input: AgentInput,
): Promise<{ agent: Agent; created: boolean }> {
  const obj: AgentInput = { metadata: input.metadata, spec: input.spec };
  try {
    return { agent: await client.agentCreate(obj), created: true };
  } catch (createErr) {
    try {
      await client.agentGet(obj.metadata.name);
    } catch (getErr) {
      if (isNotFound(getErr)) throw createErr;
      throw getErr;
    }
    return { agent: await client.agentUpdate(obj), created: false };
  }
}
