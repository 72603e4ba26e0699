/**
 * `massctl ext pipeline validate FILE | example [-o FILE]`: pipeline files (specs/pipeline.md),
 * validated here and run by whoever drives massctl.
 */
import { Command } from "@commander-js/extra-typings";
import type { App } from "../app.ts";
import { CliError } from "../errors.ts";

/** The `ext` noun. */
export function extCommand(app: App) {
  const ext = new Command("ext").description("extensions: pipeline files");
  const pipeline = ext.command("pipeline").description("pipeline files (specs/pipeline.md)");
  pipeline.command("validate")
    .description("check a pipeline file: its shape, routes, agent runs and inputs")
    .argument("<file>", "pipeline YAML ('-' for stdin)")
    .action(async (file) => {
      const [{ PipelineSchema }, { parseYamlWith, readInputFile }, { pipelineProblems }] =
        await Promise.all([
          import("../../../specs/pipeline.ts"),
          import("../yaml_file.ts"),
          import("../pipeline_check.ts"),
        ]);
      const label = file === "-" ? "stdin" : file;
      const p = parseYamlWith(PipelineSchema, await readInputFile(file), label);
      const problems = pipelineProblems(p);
      if (problems.length > 0) {
        const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
        throw new CliError(`${label}: ${problems[0]}${more}`);
      }
      app.line(`Pipeline "${p.name}" validated successfully.`);
      app.line(`Stages: ${p.stages.map((s) => s.name).join(" → ")}`);
    });
  pipeline.command("example")
    .description("print an example pipeline (or write it with -o)")
    .option("-o, --output <file>", "write it to this file")
    .action(async (opts) => {
      const { PIPELINE_EXAMPLE } = await import("../pipeline_example.ts");
      if (!opts.output) return app.out(PIPELINE_EXAMPLE);
      try {
        await Deno.writeTextFile(opts.output, PIPELINE_EXAMPLE, { createNew: true });
      } catch (err) {
        if (err instanceof Deno.errors.AlreadyExists) {
          throw new CliError(`${opts.output} already exists: pick another -o, or remove it`);
        }
        throw new CliError(`cannot write ${opts.output}: ${(err as Error).message}`);
      }
      app.line(`Example pipeline written to ${opts.output}`);
    });
  return ext;
}
