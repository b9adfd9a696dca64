// The steps of a plan as a graph: unique ids, `after` naming existing steps, no cycles. Pure.
import type { Plan, PlanFinding, PlanStep } from './planFile.js';

export interface StepGraph {
  /** The first step with each id. */
  steps: Map<string, PlanStep>;
  findings: PlanFinding[];
}

export function checkStepGraph(plan: Plan): StepGraph {
  const steps = new Map<string, PlanStep>();
  const findings: PlanFinding[] = [];
  for (const step of plan.steps) {
    if (step.id === undefined) continue;
    const first = steps.get(step.id);
    if (first) {
      findings.push({
        code: 'PLAN_STEP_DUPLICATE',
        pointer: `${step.pointer}/id`,
        message: `step id "${step.id}" is also used by ${first.pointer}`,
      });
    } else {
      steps.set(step.id, step);
    }
  }
  for (const step of plan.steps) {
    for (const dependency of step.after) {
      if (!steps.has(dependency.name)) {
        findings.push({
          code: 'PLAN_STEP_NOT_FOUND',
          pointer: dependency.pointer,
          message: `after names "${dependency.name}", which is not a step of this plan`,
        });
      }
    }
  }
  findings.push(...findCycles(steps));
  return { steps, findings };
}

/**
 * One finding per distinct cycle, at the `after` entry that closes it, with the cycle spelled out. Iterative
 * depth-first search (plans are user input: no recursion depth to exhaust).
 */
function findCycles(steps: Map<string, PlanStep>): PlanFinding[] {
  const state = new Map<string, 'active' | 'done'>();
  const seen = new Set<string>();
  const findings: PlanFinding[] = [];
  for (const start of steps.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const cursors: number[] = [0];
    state.set(start, 'active');
    while (path.length > 0) {
      const current = steps.get(path[path.length - 1]!)!;
      const index = cursors[cursors.length - 1]!;
      if (index >= current.after.length) {
        state.set(current.id!, 'done');
        path.pop();
        cursors.pop();
        continue;
      }
      cursors[cursors.length - 1] = index + 1;
      const edge = current.after[index]!;
      if (!steps.has(edge.name)) continue;
      const edgeState = state.get(edge.name);
      if (edgeState === 'active') {
        const cycle = [...path.slice(path.indexOf(edge.name)), edge.name];
        const key = [...new Set(cycle)].sort().join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          findings.push({
            code: 'PLAN_CYCLE',
            pointer: edge.pointer,
            message: `steps wait for each other in a cycle: ${cycle.join(' → ')}`,
          });
        }
      } else if (edgeState === undefined) {
        state.set(edge.name, 'active');
        path.push(edge.name);
        cursors.push(0);
      }
    }
  }
  return findings;
}

/** The steps a step waits for, directly or through others (cycles tolerated). */
export function stepsBefore(graph: StepGraph, stepId: string): Set<string> {
  const before = new Set<string>();
  const pending = [...(graph.steps.get(stepId)?.after ?? [])].map((edge) => edge.name);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (before.has(name) || !graph.steps.has(name)) continue;
    before.add(name);
    for (const edge of graph.steps.get(name)!.after) pending.push(edge.name);
  }
  return before;
}
