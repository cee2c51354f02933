/** The local function host: tenant server functions as worker processes (Lambda's stand-in). */
export { createFunctionHost, type FunctionHost, type FunctionHostOptions } from './host.js';
