import type { paths } from '../../api/schema.js';

/** What the execution routes answer: the execution's view and its state machine's graph. */
export type ExecutionAnswer = paths['/projects/{name}/deployments/{id}/execution']['get']['responses'][200]['content']['application/json'];
export type ExecutionView = ExecutionAnswer['execution'];
export type StateView = ExecutionView['states'][number];
export type Graph = NonNullable<ExecutionAnswer['stateMachine']>;
