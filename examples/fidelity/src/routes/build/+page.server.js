import { label } from '$lib/build/label.js';

export function load() {
  return { label };
}
