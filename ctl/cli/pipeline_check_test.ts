import assert from "node:assert/strict";
import { parse } from "yaml";
import { PipelineSchema } from "../../specs/pipeline.ts";
import { pipelineProblems } from "./pipeline_check.ts";
import { PIPELINE_EXAMPLE } from "./pipeline_example.ts";

const example = () => PipelineSchema.parse(parse(PIPELINE_EXAMPLE));

Deno.test("pipelineProblems: the example has none", () => {
  assert.deepEqual(pipelineProblems(example()), []);
});

Deno.test("pipelineProblems: names, routes, agent runs, inputs, reachability", () => {
  const p = example();
  p.stages[1].routes[0].goto = "nowhere";
  p.stages[1].tasks![0].agentRun = "ghost";
  p.stages[0].input_from = ["review"];
  p.stages.push({ ...p.stages[0], name: "__done__" });
  p.stages.push({ ...p.stages[0], name: "implement" });
  const problems = pipelineProblems(p);
  assert.ok(problems.includes('stages[1].routes[0].goto: no stage named "nowhere"'));
  assert.ok(
    problems.includes('stages[1].tasks[0].agentRun: no agent run named "ghost" under agentRuns'),
  );
  assert.ok(problems.includes('stages[0].input_from[0]: "review" is not an earlier stage'));
  assert.ok(problems.includes("stages[2].name: __done__ is reserved for routes"));
  assert.ok(problems.includes("stages[3].name: implement is already stages[0]"));
  assert.ok(problems.includes("stages[2]: __done__ cannot be reached from implement"));
});

Deno.test("pipelineProblems: serial needs agentRun and description, parallel needs tasks", () => {
  const p = example();
  delete p.stages[0].agentRun;
  p.stages[1].tasks = [];
  const problems = pipelineProblems(p);
  assert.ok(problems.includes("stages[0].agentRun: is required for a serial stage"));
  assert.ok(problems.includes("stages[1].tasks: a parallel stage needs at least one task"));
});
