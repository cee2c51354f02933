import { describe, expect, it } from 'vitest';
import { type Builder, kitOptions } from '../../buildrunner/adapter/index.js';

describe("the adapter's reading of the app's options", () => {
  it('reads SvelteKit 3’s flat builder.config without touching the deprecated config.kit', () => {
    let touchedKit = false;
    // Kit 3's config.kit accessor logs adapter_config_kit_deprecated when read: count reads instead.
    const config = { appDir: '_app', paths: { base: '/base', assets: 'https://cdn.example/base' } };
    Object.defineProperty(config, 'kit', {
      get() {
        touchedKit = true;
        return { appDir: 'wrong', paths: { base: '/wrong' } };
      },
    });
    expect(kitOptions({ config } as unknown as Builder)).toEqual({ base: '/base', appDir: '_app', assets: 'https://cdn.example/base' });
    expect(touchedKit).toBe(false);
  });

  it('reads SvelteKit 2’s config.kit', () => {
    const builder = { config: { kit: { appDir: 'app', paths: { base: '' } } } } as unknown as Builder;
    expect(kitOptions(builder)).toEqual({ base: '', appDir: 'app', assets: '' });
  });
});
