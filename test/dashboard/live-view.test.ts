import { describe, expect, it } from 'vitest';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from '../../dashboard/src/lib/components/execution/layout.js';
import { failingState, focusState, nodeStates, stateOrder } from '../../dashboard/src/lib/components/execution/status.js';
import type { ExecutionView, Graph } from '../../dashboard/src/lib/components/execution/types.js';
import { highlight, LogLines } from '../../dashboard/src/lib/components/log/log-lines.js';

/** The live view's own logic: the graph's layout, each state's status, the log's lines and search. */
const graph: Graph = {
  name: 'sample',
  startAt: 'Start',
  states: [
    { name: 'Start', type: 'Task', next: ['Build'] },
    { name: 'Build', type: 'Task', next: ['Check', 'Build failed'], onError: ['Build failed'] },
    { name: 'Check', type: 'Choice', next: ['Done', 'Wait'] },
    { name: 'Wait', type: 'Wait', next: ['Build'] },
    { name: 'Done', type: 'Succeed', next: [], end: true },
    { name: 'Build failed', type: 'Pass', next: ['Failed'] },
    { name: 'Failed', type: 'Fail', next: [], end: true },
  ],
};

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('layoutGraph', () => {
  const layout = layoutGraph(graph);
  const node = (name: string) => layout.nodes.find((n) => n.name === name)!;

  it('puts each state one layer below the longest path that reaches it, loops set aside', () => {
    expect(Object.fromEntries(layout.nodes.map((n) => [n.name, n.layer]))).toEqual({
      Start: 0,
      Build: 1,
      Check: 2,
      'Build failed': 2,
      Done: 3,
      Wait: 3,
      Failed: 3,
    });
  });

  it('marks error transitions and loops, and keeps every node apart inside the drawing', () => {
    const kind = (from: string, to: string) => layout.edges.find((e) => e.from === from && e.to === to)?.kind;
    expect(kind('Build', 'Build failed')).toBe('error');
    expect(kind('Wait', 'Build')).toBe('back');
    expect(kind('Build', 'Check')).toBe('next');
    expect(layout.edges).toHaveLength(7);
    for (const a of layout.nodes) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.x + NODE_WIDTH).toBeLessThanOrEqual(layout.width);
      expect(a.y + NODE_HEIGHT).toBeLessThanOrEqual(layout.height);
      for (const b of layout.nodes) if (a !== b && a.layer === b.layer) expect(Math.abs(a.x - b.x)).toBeGreaterThanOrEqual(NODE_WIDTH);
    }
    expect(node('Build').y).toBeGreaterThan(node('Start').y);
  });

  it('lists the states layer by layer for the table', () => {
    const order = stateOrder({ status: 'RUNNING', states: [] }, graph);
    expect(order.slice(0, 2)).toEqual(['Start', 'Build']);
    expect(order.indexOf('Done')).toBeGreaterThan(order.indexOf('Check'));
  });
});

describe('nodeStates', () => {
  it('shows running, waiting and how often a looping state ran while the execution runs', () => {
    const execution: ExecutionView = {
      status: 'RUNNING',
      states: [
        { name: 'Start', type: 'Task', status: 'succeeded', start: at(0), end: at(1), durationMs: 1000 },
        { name: 'Build', type: 'Task', status: 'succeeded', start: at(1), end: at(2), durationMs: 1000 },
        { name: 'Check', type: 'Choice', status: 'succeeded', start: at(2), end: at(2), durationMs: 0 },
        { name: 'Wait', type: 'Wait', status: 'succeeded', start: at(2), end: at(3), durationMs: 1000 },
        { name: 'Build', type: 'Task', status: 'entered', start: at(3) },
      ],
    };
    const states = nodeStates(execution, graph);
    expect(states.get('Build')).toMatchObject({ status: 'running', runs: 2 });
    expect(states.get('Done')).toMatchObject({ status: 'waiting', runs: 0 });
    expect(states.get('Start')).toMatchObject({ status: 'succeeded', durationMs: 1000 });
    expect(focusState(execution)).toBe('Build');
    expect(failingState(execution)).toBeUndefined();
  });

  it('names the failing state with its error once the execution failed; what never ran is "not run"', () => {
    const execution: ExecutionView = {
      status: 'FAILED',
      states: [
        { name: 'Start', type: 'Task', status: 'succeeded', start: at(0), end: at(1), durationMs: 1000 },
        {
          name: 'Build',
          type: 'Task',
          status: 'caught',
          start: at(1),
          end: at(5),
          durationMs: 4000,
          error: 'BuildFailed',
          cause: 'vite exited 1',
        },
        { name: 'Build failed', type: 'Pass', status: 'succeeded', start: at(5), end: at(5), durationMs: 0 },
        { name: 'Failed', type: 'Fail', status: 'failed', start: at(5), end: at(5), error: 'BuildFailed' },
      ],
    };
    const states = nodeStates(execution, graph);
    expect(states.get('Build')).toMatchObject({ status: 'caught', error: 'BuildFailed', cause: 'vite exited 1' });
    expect(states.get('Done')?.status).toBe('not run');
    expect(failingState(execution)?.name).toBe('Build');
    expect(focusState(execution)).toBe('Build');
    // A state entered when the execution stopped did not finish: stopped, not running.
    expect(
      nodeStates({ status: 'ABORTED', states: [{ name: 'Build', type: 'Task', status: 'entered', start: at(1) }] }, graph).get('Build')
        ?.status,
    ).toBe('stopped');
  });
});

describe('LogLines', () => {
  it('joins a line split across chunks, drops colour codes and carriage returns, counts the unfinished line', () => {
    const log = new LogLines();
    log.append('first li');
    expect(log.count).toBe(1);
    log.append('ne\r\n\u001b[32msecond\u001b[0m\nthi');
    expect(log.count).toBe(3);
    expect([log.at(0), log.at(1), log.at(2)]).toEqual(['first line', 'second', 'thi']);
    log.append('rd\n');
    expect(log.count).toBe(3);
    expect(log.at(2)).toBe('third');
  });

  it('finds lines case-insensitively in a 50,000-line log quickly, and highlights each match', () => {
    const log = new LogLines();
    for (let chunk = 0; chunk < 50; chunk++)
      log.append(Array.from({ length: 1000 }, (_, i) => `numbered line ${chunk * 1000 + i + 1}\n`).join(''));
    expect(log.count).toBe(50_000);
    const started = performance.now();
    expect(log.find('NUMBERED LINE 49999')).toEqual([49_998]);
    expect(performance.now() - started).toBeLessThan(200);
    expect(log.find('')).toEqual([]);
    expect(highlight('Vite built; vite done', 'vite')).toEqual([
      { text: 'Vite', match: true },
      { text: ' built; ', match: false },
      { text: 'vite', match: true },
      { text: ' done', match: false },
    ]);
  });
});
