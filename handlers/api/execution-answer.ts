import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { sfnClient } from '../lib/clients.js';
import { executionView, type ExecutionView } from './execution-view.js';
import { stateMachineGraph, type StateMachineGraph } from './state-machine-graph.js';

/**
 * What the execution routes answer (`…/execution`, `…/execution/stream`, `/executions/{name}`):
 * the execution's view (never its raw history) and the graph of its state machine to draw it on.
 */
export interface ExecutionAnswer {
  execution: ExecutionView;
  stateMachine?: StateMachineGraph;
}

/** A polling state loops: an execution's history may span pages. More than this many events is not a Slipway execution. */
const MAX_HISTORY_PAGES = 10;

async function executionHistory(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const result = await sfnClient().send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    events.push(...(result.events ?? []));
    nextToken = result.nextToken;
    if (!nextToken) break;
  }
  return events;
}

/** The execution's description, or undefined when it does not exist. */
export async function describeExecution(executionArn: string): Promise<DescribeExecutionOutput | undefined> {
  try {
    return await sfnClient().send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
}

/** The graph of a state machine (names, types, transitions), or undefined when its definition is not ASL. */
export async function graphOf(stateMachineArn: string | undefined): Promise<StateMachineGraph | undefined> {
  if (!stateMachineArn) return undefined;
  const machine = await sfnClient().send(new DescribeStateMachineCommand({ stateMachineArn }));
  return stateMachineGraph(machine.name ?? '', machine.definition);
}

/** The view of a described execution, from its history read now. */
export async function viewOf(described: DescribeExecutionOutput): Promise<ExecutionView> {
  return executionView(described, described.executionArn ? await executionHistory(described.executionArn) : []);
}

/** The view and graph of a described execution. */
export async function answerFor(described: DescribeExecutionOutput): Promise<ExecutionAnswer> {
  const [execution, graph] = await Promise.all([viewOf(described), graphOf(described.stateMachineArn)]);
  return { execution, ...(graph ? { stateMachine: graph } : {}) };
}
