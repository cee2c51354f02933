import { tick } from 'svelte';

/**
 * Moves keyboard focus into a part of the page that just appeared in place of the button that
 * opened it (a confirmation, an inline form): otherwise focus falls back to the page's start.
 */
export function focusFirst(node: HTMLElement): void {
  const target = node.matches('button, input, select') ? node : node.querySelector<HTMLElement>('button, input, select');
  target?.focus();
}

/** Back to the element with this id once the page has re-rendered (the opener, after a cancel or save). */
export async function refocus(id: string): Promise<void> {
  await tick();
  document.getElementById(id)?.focus();
}
