/** The pipeline `massctl ext pipeline example` prints (specs/pipeline.md); it validates. */
export const PIPELINE_EXAMPLE =
  `# A pipeline: stages handed to agent runs as tasks, routed by each task's reason.
# Check it with: massctl ext pipeline validate FILE   (see specs/pipeline.md)
name: feature-with-review
description: implement a feature, review it, loop until approved
workspace:
  source:
    type: local
    path: .
agentRuns:
  coder:
    agent: claude
    permissions: approve_all
  reviewer:
    agent: codex
    fallback:
      - agent: claude
stages:
  - name: implement
    type: serial
    agentRun: coder
    description: implement the feature described in SPEC.md, with tests
    input_files: [SPEC.md]
    max_retries: 3
    routes:
      - when: success
        goto: review
      - when: failed
        goto: __escalate__
  - name: review
    type: parallel
    tasks:
      - agentRun: reviewer
        description: review the change for correctness and tests
        input_from: [implement]
    wait: all
    routes:
      - when: success
        goto: __done__
      - when: needs_changes
        goto: implement
      - when: needs_human
        goto: __escalate__
output:
  summary: what changed, and the review's verdict
cleanup:
  preserve_workspace: true
`;
