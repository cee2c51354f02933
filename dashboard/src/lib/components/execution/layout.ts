import type { Graph } from './types.js';

export const NODE_WIDTH = 196;
export const NODE_HEIGHT = 44;
const GAP_X = 20;
const GAP_Y = 34;
/** Room left of the nodes for edges that loop back to an earlier layer. */
const MARGIN = 40;

export interface PlacedNode {
  name: string;
  type: string;
  layer: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** next: a normal transition; error: taken on a caught failure; back: a loop to an earlier layer. */
  kind: 'next' | 'error' | 'back';
  path: string;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

/**
 * A layered drawing of a state machine: edges that close a loop (found by a depth-first walk from
 * StartAt) are set aside, every other state sits one layer below the longest path that reaches it,
 * and states within a layer are ordered by where their predecessors sit (one barycentre pass).
 */
export function layoutGraph(graph: Graph): GraphLayout {
  const byName = new Map(graph.states.map((state) => [state.name, state]));
  const order: string[] = [];
  const mark = new Map<string, 'open' | 'done'>();
  const back = new Set<string>();
  const edgeKey = (from: string, to: string) => `${from}\u0000${to}`;

  const visit = (name: string) => {
    mark.set(name, 'open');
    order.push(name);
    for (const next of byName.get(name)?.next ?? []) {
      if (!byName.has(next)) continue;
      const seen = mark.get(next);
      if (seen === 'open') back.add(edgeKey(name, next));
      else if (!seen) visit(next);
    }
    mark.set(name, 'done');
  };
  if (byName.has(graph.startAt)) visit(graph.startAt);
  for (const state of graph.states) if (!mark.has(state.name)) visit(state.name);

  const preds = new Map<string, string[]>(order.map((name) => [name, []]));
  for (const name of order)
    for (const next of byName.get(name)?.next ?? []) if (byName.has(next) && !back.has(edgeKey(name, next))) preds.get(next)?.push(name);

  // Longest path from the roots, in an order where every predecessor comes first (Kahn).
  const layer = new Map<string, number>();
  const remaining = new Map(order.map((name) => [name, preds.get(name)?.length ?? 0]));
  const ready = order.filter((name) => remaining.get(name) === 0);
  while (ready.length) {
    const name = ready.shift() as string;
    const own = Math.max(-1, ...(preds.get(name) ?? []).map((p) => layer.get(p) ?? 0)) + 1;
    layer.set(name, own);
    for (const next of byName.get(name)?.next ?? []) {
      if (!byName.has(next) || back.has(edgeKey(name, next))) continue;
      const left = (remaining.get(next) ?? 1) - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
  }

  const layers: string[][] = [];
  for (const name of order) (layers[layer.get(name) ?? 0] ??= []).push(name);
  const position = new Map<string, number>();
  for (const [index, names] of layers.entries()) {
    if (index > 0) {
      const centre = (name: string) => {
        const placed = (preds.get(name) ?? []).map((p) => position.get(p)).filter((p): p is number => p !== undefined);
        return placed.length ? placed.reduce((a, b) => a + b, 0) / placed.length : Number.POSITIVE_INFINITY;
      };
      names.sort((a, b) => centre(a) - centre(b));
    }
    for (const [i, name] of names.entries()) position.set(name, i - (names.length - 1) / 2);
  }

  const widest = Math.max(1, ...layers.map((names) => names.length));
  const width = MARGIN * 2 + widest * NODE_WIDTH + (widest - 1) * GAP_X;
  const height = layers.length * (NODE_HEIGHT + GAP_Y) - GAP_Y + 8;
  const nodes: PlacedNode[] = order.map((name) => {
    const l = layer.get(name) ?? 0;
    const x = width / 2 + (position.get(name) ?? 0) * (NODE_WIDTH + GAP_X) - NODE_WIDTH / 2;
    return { name, type: byName.get(name)?.type ?? 'Unknown', layer: l, x, y: 4 + l * (NODE_HEIGHT + GAP_Y) };
  });
  const at = new Map(nodes.map((node) => [node.name, node]));
  const edges: PlacedEdge[] = [];
  for (const from of nodes) {
    const state = byName.get(from.name);
    for (const to of state?.next ?? []) {
      const target = at.get(to);
      if (!target) continue;
      const isBack = back.has(edgeKey(from.name, to)) || target.layer <= from.layer;
      const kind = isBack ? 'back' : state?.onError?.includes(to) ? 'error' : 'next';
      edges.push({ from: from.name, to, kind, path: edgePath(from, target, isBack) });
    }
  }
  return { nodes, edges, width, height };
}

function edgePath(from: PlacedNode, to: PlacedNode, isBack: boolean): string {
  if (isBack) {
    // Out of the left side and round into the target's left side.
    const y1 = from.y + NODE_HEIGHT / 2;
    const y2 = to.y + NODE_HEIGHT / 2;
    const bend = Math.min(from.x, to.x) - MARGIN * 0.8;
    return `M${from.x},${y1} C${bend},${y1} ${bend},${y2} ${to.x},${y2}`;
  }
  const x1 = from.x + NODE_WIDTH / 2;
  const y1 = from.y + NODE_HEIGHT;
  const x2 = to.x + NODE_WIDTH / 2;
  const y2 = to.y;
  const mid = GAP_Y / 2;
  return `M${x1},${y1} C${x1},${y1 + mid} ${x2},${y2 - mid} ${x2},${y2}`;
}
