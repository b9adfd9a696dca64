// The checks of a workflow's graph that need no other spec: every `next` and `start` names a node, every node is
// reachable from `start`, and the graph has no cycle. Pure; positions are JSON pointers.
import { isJsonObject, joinPointer, type JsonObject, type JsonValue } from '../../core/json.js';
import type { KindFinding } from '../kindDescriptor.js';

/** The nodes' `next` lists as written (only the strings), in document order; undefined when `graph` is not an object. */
function nextLists(graph: JsonValue | undefined): Map<string, { name: string; index: number }[]> | undefined {
  if (!isJsonObject(graph)) return undefined;
  const nodes = new Map<string, { name: string; index: number }[]>();
  for (const [name, node] of Object.entries(graph)) {
    const next = isJsonObject(node) ? node['next'] : undefined;
    nodes.set(
      name,
      Array.isArray(next)
        ? next.flatMap((target, index) => (typeof target === 'string' ? [{ name: target, index }] : []))
        : [],
    );
  }
  return nodes;
}

export function checkWorkflowGraph(spec: JsonObject): KindFinding[] {
  const nodes = nextLists(spec['graph']);
  if (!nodes) return [];
  const findings: KindFinding[] = [];
  const nextPointer = (node: string, index: number) =>
    joinPointer(joinPointer(joinPointer('/graph', node), 'next'), index);
  for (const [node, next] of nodes) {
    for (const target of next) {
      if (!nodes.has(target.name))
        findings.push({
          code: 'WORKFLOW_NEXT_UNKNOWN',
          pointer: nextPointer(node, target.index),
          message: `node "${node}" goes next to "${target.name}", which is not a node of the graph (nodes: ${[...nodes.keys()].join(', ')})`,
        });
    }
  }
  const start = spec['start'];
  const startKnown = typeof start === 'string' && nodes.has(start);
  if (typeof start === 'string' && !startKnown)
    findings.push({
      code: 'WORKFLOW_START_UNKNOWN',
      pointer: '/start',
      message: `start "${start}" is not a node of the graph (nodes: ${[...nodes.keys()].join(', ')})`,
    });

  if (startKnown) {
    const reached = new Set<string>([start]);
    const queue = [start];
    while (queue.length > 0) {
      for (const target of nodes.get(queue.shift()!)!) {
        if (nodes.has(target.name) && !reached.has(target.name)) {
          reached.add(target.name);
          queue.push(target.name);
        }
      }
    }
    for (const node of nodes.keys()) {
      if (!reached.has(node))
        findings.push({
          code: 'WORKFLOW_NODE_UNREACHABLE',
          pointer: joinPointer('/graph', node),
          message: `node "${node}" cannot be reached from start "${start}"`,
          severity: 'warning',
        });
    }
  }
  findings.push(...findCycles(nodes, startKnown ? start : undefined));
  return findings;
}

/**
 * One finding per edge that closes a cycle, at that `next` entry, naming the cycle from where it starts
 * (`fetch → answer → fetch`). Depth first from `start`, then from the other nodes in document order, following
 * `next` in list order: the same graph always gives the same findings. Iterative, so a long chain cannot overflow
 * the stack.
 */
function findCycles(nodes: Map<string, { name: string; index: number }[]>, start: string | undefined): KindFinding[] {
  const findings: KindFinding[] = [];
  const done = new Set<string>();
  const onPath = new Map<string, number>(); // node → its position on the current path
  const roots = start === undefined ? [...nodes.keys()] : [start, ...[...nodes.keys()].filter((n) => n !== start)];
  for (const root of roots) {
    if (done.has(root)) continue;
    const path: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    onPath.set(root, 0);
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const next = nodes.get(top.node)!;
      if (top.edge >= next.length) {
        path.pop();
        onPath.delete(top.node);
        done.add(top.node);
        continue;
      }
      const target = next[top.edge++]!;
      if (!nodes.has(target.name) || done.has(target.name)) continue;
      const at = onPath.get(target.name);
      if (at !== undefined) {
        const cycle = [...path.slice(at).map((step) => step.node), target.name];
        findings.push({
          code: 'WORKFLOW_CYCLE',
          pointer: joinPointer(joinPointer(joinPointer('/graph', top.node), 'next'), target.index),
          message: `the graph has a cycle: ${cycle.join(' → ')}`,
        });
        continue;
      }
      onPath.set(target.name, path.length);
      path.push({ node: target.name, edge: 0 });
    }
  }
  return findings;
}
