import { inCliWords } from './api-fields.js';
import type { Connection } from './connection.js';

/** An API error, carrying the server's message (which names the field or limit), its fields named as the CLI's flags. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(inCliWords(message));
  }
}

/** A small typed wrapper over the platform API. */
export class ApiClient {
  constructor(private readonly connection: Connection) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.connection.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.connection.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(
        `cannot reach the platform API at ${this.connection.apiUrl}: ${(error as Error).message}. Is \`slipway up\` running?`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiCallError(response.status, 'BadResponse', `${method} ${path}: HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } }).error;
      throw new ApiCallError(response.status, error?.code ?? 'Error', error?.message ?? `${method} ${path}: HTTP ${response.status}`);
    }
    return json as T;
  }

  /**
   * Opens a streaming GET (the log's server-sent events) and returns the response unread; an error
   * answer is thrown as ApiCallError.
   */
  async stream(path: string, headers: Record<string, string> = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.connection.apiUrl}${path}`, {
        headers: { authorization: `Bearer ${this.connection.token}`, accept: 'text/event-stream', ...headers },
      });
    } catch (error) {
      throw new Error(
        `cannot reach the platform API at ${this.connection.apiUrl}: ${(error as Error).message}. Is \`slipway up\` running?`,
      );
    }
    if (!response.ok) {
      const text = await response.text();
      let error: { code?: string; message?: string } | undefined;
      try {
        error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
      } catch {
        // not JSON
      }
      throw new ApiCallError(
        response.status,
        error?.code ?? 'Error',
        error?.message ?? `GET ${path}: HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    return response;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
}
