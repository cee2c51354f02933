import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalCredentialIssuer } from '../auth/credential-issuer.js';
import { startSigV4Gate } from '../auth/sigv4-gate.js';
import type { ExecutionSummary } from './execution-store.js';
import type { LocalStepFunctions } from './local-step-functions.js';

const seconds = (iso?: string) => (iso ? Date.parse(iso) / 1000 : undefined);

function summary(record: ExecutionSummary) {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    stopDate: seconds(record.stopDate),
  };
}

/**
 * Where the page after `token` starts. The token names the last execution of the page before: the
 * list is newest first, so executions started since then do not shift the pages that follow.
 */
function afterToken(listed: ExecutionSummary[], token: string): number {
  const last = Buffer.from(token, 'base64url').toString('utf8');
  const index = listed.findIndex((record) => record.executionArn === last);
  if (index < 0) throw Object.assign(new Error('the pagination token names no execution of this list'), { name: 'InvalidToken' });
  return index + 1;
}

/**
 * The Step Functions API (AWS JSON 1.0 protocol) in front of the local engine, so the API
 * handlers start and read executions with @aws-sdk/client-sfn on both back ends.
 */
export function createSfnApiServer(engine: LocalStepFunctions): Server {
  const actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: (body) => {
      const name = typeof body.name === 'string' ? body.name : crypto.randomUUID();
      const record = engine.startExecution(String(body.stateMachineArn), name, typeof body.input === 'string' ? body.input : '{}');
      return { executionArn: record.executionArn, startDate: seconds(record.startDate) };
    },
    DescribeExecution: (body) => {
      const record = engine.describeExecution(String(body.executionArn));
      return { ...summary(record), input: record.input, output: record.output, error: record.error, cause: record.cause };
    },
    ListExecutions: (body) => {
      const filter = { stateMachineArn: body.stateMachineArn as string | undefined, statusFilter: body.statusFilter as string | undefined };
      const max = typeof body.maxResults === 'number' && body.maxResults > 0 ? body.maxResults : 100;
      const listed = engine.listExecutions(filter);
      const start = typeof body.nextToken === 'string' ? afterToken(listed, body.nextToken) : 0;
      const page = listed.slice(start, start + max);
      const last = page.at(-1);
      return {
        executions: page.map(summary),
        ...(last && start + max < listed.length ? { nextToken: Buffer.from(last.executionArn).toString('base64url') } : {}),
      };
    },
    GetExecutionHistory: (body) => {
      const record = engine.describeExecution(String(body.executionArn));
      const events = record.events.map((event) => ({ ...event, timestamp: seconds(event.timestamp) }));
      return { events: body.reverseOrder ? events.reverse() : events };
    },
    StopExecution: (body) => {
      engine.stopExecution(String(body.executionArn), {
        ...(typeof body.error === 'string' ? { error: body.error } : {}),
        ...(typeof body.cause === 'string' ? { cause: body.cause } : {}),
      });
      return { stopDate: Date.now() / 1000 };
    },
    ListStateMachines: () => ({
      stateMachines: engine
        .stateMachines()
        .map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.name, type: 'STANDARD', creationDate: 0 })),
    }),
    DescribeStateMachine: (body) => {
      const machine = engine.stateMachines().find((m) => m.stateMachineArn === body.stateMachineArn);
      if (!machine)
        throw Object.assign(new Error(`state machine ${String(body.stateMachineArn)} does not exist`), {
          name: 'StateMachineDoesNotExist',
        });
      return {
        stateMachineArn: machine.stateMachineArn,
        name: machine.name,
        definition: JSON.stringify(machine.definition),
        type: 'STANDARD',
        status: 'ACTIVE',
      };
    },
  };

  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = actions[target.replace(/^AWSStepFunctions\./, '')];
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(payload));
      };
      if (!action) return reply(400, { __type: 'UnknownOperationException', message: `unsupported operation ${target}` });
      try {
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        reply(200, action(body));
      } catch (error) {
        const name = (error as Error).name;
        reply(name === 'Error' ? 500 : 400, {
          __type: name === 'SyntaxError' ? 'SerializationException' : name,
          message: (error as Error).message,
        });
      }
    });
  });
}

export interface LocalSfnApi {
  /** The SigV4 gate in front of the API: what AWS_ENDPOINT_URL_SFN names. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The Step Functions API on a loopback port that only its SigV4 gate reaches: requests must be
 * signed with keys the issuer holds, as on AWS.
 */
export async function startSfnApi(engine: LocalStepFunctions, issuer: LocalCredentialIssuer): Promise<LocalSfnApi> {
  const server = createSfnApiServer(engine);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gate = await startSigV4Gate({
    service: 'states',
    upstream: { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
    issuer,
  });
  return {
    endpoint: gate.endpoint,
    async close() {
      await gate.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
