import { describe, expect, it } from 'vitest';
import {
  RUNTIME_ENV_VARIABLE,
  RuntimeEnvironmentTooLarge,
  functionEnvironmentBytes,
  functionRuntimeEnvironment,
  platformVariables,
} from '../../handlers/lib/project-settings/function-environment.js';
import { MAX_RUNTIME_ENV_BYTES } from '../../handlers/lib/project-settings/schemas.js';

const project = 'shop';
const deploymentId = 'd-shop-0001';

/** A GREETING value that makes the whole environment exactly `bytes` long. */
function greetingFor(bytes: number): string {
  const empty = functionEnvironmentBytes(project, deploymentId, JSON.stringify({ GREETING: '' }));
  return 'x'.repeat(bytes - empty);
}

describe("the tenant function's environment on AWS", () => {
  it('is measured whole: the platform variables, the encoded runtime variables and their escaping', () => {
    const encoded = functionRuntimeEnvironment(project, deploymentId, { B: 'say "hi"', A: '1' });
    // Sorted, so the same set is the same parameter (no stack change).
    expect(encoded).toBe('{"A":"1","B":"say \\"hi\\""}');
    const whole = JSON.stringify({ ...platformVariables(project, deploymentId), [RUNTIME_ENV_VARIABLE]: encoded });
    expect(functionEnvironmentBytes(project, deploymentId, encoded)).toBe(Buffer.byteLength(whole));
  });

  it(`accepts exactly ${MAX_RUNTIME_ENV_BYTES} bytes and refuses one more, with a JSON error naming the limit`, () => {
    expect(() => functionRuntimeEnvironment(project, deploymentId, { GREETING: greetingFor(MAX_RUNTIME_ENV_BYTES) })).not.toThrow();
    let refusal: unknown;
    try {
      functionRuntimeEnvironment(project, deploymentId, { GREETING: greetingFor(MAX_RUNTIME_ENV_BYTES + 1) });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RuntimeEnvironmentTooLarge);
    const body = JSON.parse((refusal as Error).message) as Record<string, unknown>;
    expect(body).toMatchObject({
      error: 'RuntimeEnvironmentTooLarge',
      limit: 'MAX_RUNTIME_ENV_BYTES',
      maxBytes: MAX_RUNTIME_ENV_BYTES,
      bytes: MAX_RUNTIME_ENV_BYTES + 1,
      variables: 1,
    });
    // The message names the sizes, never a value.
    expect((refusal as Error).message).not.toContain('xxxxxxxx');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const chars = greetingFor(MAX_RUNTIME_ENV_BYTES).length;
    // Each "é" is two bytes: half as many characters fill the same budget.
    expect(() => functionRuntimeEnvironment(project, deploymentId, { GREETING: 'é'.repeat(Math.ceil(chars / 2) + 1) })).toThrow(
      RuntimeEnvironmentTooLarge,
    );
  });
});
