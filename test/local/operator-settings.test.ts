import { describe, expect, it } from 'vitest';
import { operatorSettings } from '../../infra/local/operator-settings.js';

describe('operator settings: the function idle time', () => {
  it('SLIPWAY_FUNCTION_IDLE_SECONDS sets how long an idle worker lives, in ms; unset leaves the default', () => {
    expect(operatorSettings({ SLIPWAY_FUNCTION_IDLE_SECONDS: '2' }).functionIdleMs).toBe(2000);
    expect(operatorSettings({ SLIPWAY_FUNCTION_IDLE_SECONDS: ' 3600 ' }).functionIdleMs).toBe(3_600_000);
    expect(operatorSettings({}).functionIdleMs).toBeUndefined();
    expect(operatorSettings({ SLIPWAY_FUNCTION_IDLE_SECONDS: '' }).functionIdleMs).toBeUndefined();
  });

  it('a value that is not a whole number of seconds from 1 to 3600 is refused, naming the setting and its bounds', () => {
    for (const bad of ['0', '3601', '1.5', 'soon', '-1']) {
      expect(() => operatorSettings({ SLIPWAY_FUNCTION_IDLE_SECONDS: bad })).toThrow(
        /"field":"SLIPWAY_FUNCTION_IDLE_SECONDS".*from 1 to 3600/,
      );
    }
  });
});
