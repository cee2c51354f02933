/**
 * Failure causes as Step Functions hands them over can hold secrets: a failed Batch job's cause is
 * the whole job description, container environment (the build's credentials) included; a Lambda's
 * is its error with a stack trace. What is recorded or shown is a summary of the shapes we know,
 * with anything credential-looking removed, and never longer than `MAX_CAUSE_LENGTH`.
 */

export const MAX_CAUSE_LENGTH = 500;
export const REDACTED = '[redacted]';

/**
 * Text that looks like a credential, whatever it belongs to: AWS access key ids, JWTs (tickets),
 * GitHub tokens, `name=value` / `"name": "value"` pairs whose name says secret, token, password,
 * key or credential, bearer tokens, and long runs that mix upper case, lower case and digits (AWS
 * secret keys and session tokens; paths, hex digests and ids are not mixed-case, so they stay).
 */
const CREDENTIAL_PATTERNS: Array<[RegExp, string]> = [
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{12,}\b/g, REDACTED],
  [/\bgh[pousr]_[A-Za-z0-9_]{16,}/g, REDACTED],
  [/\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi, `$1 ${REDACTED}`],
  [
    /((?:secret|token|passw(?:or)?d|credential|session|private|api[_-]?key|access[_-]?key|auth)[A-Za-z0-9_-]*["']?\s*(?:[:=]|["']?,\s*["']?value["']?\s*:)\s*["']?)[^\s"',;}]+/gi,
    `$1${REDACTED}`,
  ],
  [/[A-Za-z0-9+/=_-]{24,}/g, ''],
];

function isMixedRun(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run);
}

/** `text` with every credential-looking part replaced by `[redacted]`. */
export function redactCredentials(text: string): string {
  let out = text;
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) {
    out = replacement === '' ? out.replace(pattern, (run) => (isMixedRun(run) ? REDACTED : run)) : out.replace(pattern, replacement);
  }
  return out;
}

function truncated(text: string, max = MAX_CAUSE_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** A Batch job description (what a failed `submitJob.sync` gives as its cause): its status reason and the container's. */
function batchSummary(job: Json): string | undefined {
  if (text(job.JobId) === undefined || text(job.Status) === undefined) return undefined;
  const attempts = Array.isArray(job.Attempts) ? job.Attempts : [];
  const lastAttempt = asObject(attempts.at(-1));
  const container = asObject(job.Container) ?? asObject(lastAttempt?.Container) ?? {};
  const parts = [`Batch job ${text(job.JobName) ?? ''} ${text(job.JobId)} ${text(job.Status)}`.replace(/\s+/g, ' ')];
  const reason = text(job.StatusReason) ?? text(lastAttempt?.StatusReason);
  if (reason) parts.push(reason);
  const exitCode = text(container.ExitCode);
  if (exitCode !== undefined) parts.push(`container exit code ${exitCode}`);
  const containerReason = text(container.Reason);
  if (containerReason) parts.push(containerReason);
  return parts.join(': ');
}

/** A Lambda function error (`{ errorType, errorMessage, trace }`): type and message, never the trace. */
function lambdaSummary(error: Json): string | undefined {
  const message = text(error.errorMessage);
  if (message === undefined) return undefined;
  return `${text(error.errorType) ?? 'Error'}: ${message}`;
}

/**
 * The recordable form of a failure cause: a Batch job description becomes its status reason and the
 * container's exit code and reason; a Lambda error its type and message; anything else is kept as
 * text. Credential-looking parts are redacted and the result is at most `MAX_CAUSE_LENGTH` long.
 */
export function summariseCause(cause: unknown): string {
  if (cause === undefined || cause === null || cause === '') return '';
  let parsed: unknown = cause;
  if (typeof cause === 'string') {
    try {
      parsed = JSON.parse(cause);
    } catch {
      parsed = cause;
    }
  }
  const object = asObject(parsed);
  const summary = object
    ? (batchSummary(object) ?? lambdaSummary(object) ?? JSON.stringify(object))
    : typeof parsed === 'string'
      ? parsed
      : JSON.stringify(parsed);
  // Redacted before truncating (a cut could hide the start of a credential) and after (a cut could expose a run shorter than a pattern needs).
  return redactCredentials(truncated(redactCredentials(summary)));
}

/** Error names are identifiers (`States.TaskFailed`, `InvalidBuildOutput`); anything else is cut to one. */
export function summariseError(error: unknown): string {
  if (typeof error !== 'string') return '';
  const name = error.trim();
  return /^[A-Za-z0-9_.:-]{1,100}$/.test(name) ? name : redactCredentials(truncated(name, 100));
}
