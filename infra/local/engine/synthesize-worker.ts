import { parentPort, workerData } from 'node:worker_threads';
import type { PlatformNames } from '../../../handlers/lib/config.js';
import { synthesizeWorkflows } from './synthesized-workflows.js';

/** A synthesis in its own thread (see synthesizeApart): the result goes back as a message. */
parentPort?.postMessage(await synthesizeWorkflows(workerData as PlatformNames));
