/** A workspace package: resolvable only when the install ran at the workspace root. */
export function greet(name) {
  return `Hello ${name}, from a workspace package`;
}
