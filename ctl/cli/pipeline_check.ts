/**
 * What a pipeline's schema cannot say (specs/pipeline.md): unique stage names, route targets
 * that exist, agent-runs that are defined, inputs from earlier stages only, and every stage
 * reachable from the first. Pure.
 */
import { type Pipeline, PIPELINE_RESERVED_TARGETS } from "../../specs/pipeline.ts";

/**
 * The problems of `p` beyond its shape, each naming the field; empty when there are none.
 *
 * @example
 * ```ts
 * pipelineProblems(pipeline); // ["stages[1].routes[0].goto: no stage named \"revew\""]
 * ```
 */
export function pipelineProblems(p: Pipeline): string[] {
  const problems: string[] = [];
  const reserved = new Set<string>(PIPELINE_RESERVED_TARGETS);
  const names = new Map<string, number>();
  p.stages.forEach((s, i) => {
    const at = `stages[${i}]`;
    if (reserved.has(s.name)) problems.push(`${at}.name: ${s.name} is reserved for routes`);
    if (names.has(s.name)) {
      problems.push(`${at}.name: ${s.name} is already stages[${names.get(s.name)}]`);
    } else names.set(s.name, i);
  });
  const runDefined = (name: string | undefined, field: string) => {
    if (name !== undefined && !(name in p.agentRuns)) {
      problems.push(`${field}: no agent run named ${JSON.stringify(name)} under agentRuns`);
    }
  };
  const earlier = (from: readonly string[] | undefined, i: number, field: string) => {
    from?.forEach((name, j) => {
      const k = names.get(name);
      if (k === undefined || k >= i) {
        problems.push(`${field}[${j}]: ${JSON.stringify(name)} is not an earlier stage`);
      }
    });
  };
  p.stages.forEach((s, i) => {
    const at = `stages[${i}]`;
    if (s.type === "serial") {
      if (!s.agentRun) problems.push(`${at}.agentRun: is required for a serial stage`);
      if (!s.description) problems.push(`${at}.description: is required for a serial stage`);
    } else if (!s.tasks?.length) {
      problems.push(`${at}.tasks: a parallel stage needs at least one task`);
    }
    runDefined(s.agentRun, `${at}.agentRun`);
    earlier(s.input_from, i, `${at}.input_from`);
    s.tasks?.forEach((t, j) => {
      runDefined(t.agentRun, `${at}.tasks[${j}].agentRun`);
      earlier(t.input_from, i, `${at}.tasks[${j}].input_from`);
    });
    s.routes.forEach((r, j) => {
      if (!reserved.has(r.goto) && !names.has(r.goto)) {
        problems.push(`${at}.routes[${j}].goto: no stage named ${JSON.stringify(r.goto)}`);
      }
    });
  });
  const reached = new Set<string>([p.stages[0].name]);
  const queue = [p.stages[0].name];
  while (queue.length > 0) {
    const stage = p.stages[names.get(queue.shift()!)!];
    for (const r of stage?.routes ?? []) {
      if (names.has(r.goto) && !reached.has(r.goto)) {
        reached.add(r.goto);
        queue.push(r.goto);
      }
    }
  }
  p.stages.forEach((s, i) => {
    if (!reached.has(s.name)) {
      problems.push(`stages[${i}]: ${s.name} cannot be reached from ${p.stages[0].name}`);
    }
  });
  return problems;
}
