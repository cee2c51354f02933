import yoctoSpinner, { type Spinner } from 'yocto-spinner';
import { isFancy } from './terminal.js';

/** What a long wait shows: the pipeline's current state and the time since it began. */
export interface Progress {
  /** The state the pipeline entered (`Build`, `Release`); shown from now on. */
  state(name: string): void;
  /** Removes the spinner (nothing on plain output). */
  stop(): void;
}

function elapsed(since: number): string {
  const seconds = Math.floor((Date.now() - since) / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/**
 * On a fancy terminal, a spinner on `stream` with `label`, the current state and the elapsed time
 * (lines written meanwhile print above it); elsewhere one plain line per state change.
 */
export function startProgress(stream: NodeJS.WriteStream, label: string): Progress {
  const started = Date.now();
  let current = 'starting';
  if (!isFancy(stream)) {
    return {
      state(name) {
        if (name === current) return;
        current = name;
        stream.write(`slipway: ${label}: ${name} (${elapsed(started)})\n`);
      },
      stop() {},
    };
  }
  const text = () => `${label}: ${current} · ${elapsed(started)}`;
  const spinner: Spinner = yoctoSpinner({ text: text(), stream }).start();
  const clock = setInterval(() => (spinner.text = text()), 1000);
  clock.unref();
  return {
    state(name) {
      current = name;
      spinner.text = text();
    },
    stop() {
      clearInterval(clock);
      spinner.stop();
    },
  };
}
