import * as v from 'valibot';
import { pointerValue, previewKey } from '../lib/route-cache-keys.js';
import type { RouteCache } from '../lib/bindings/types.js';
import { FUNCTION_QUALIFIER_PATTERN } from '../lib/names.js';
import { setProjectLastPreviewAt } from '../lib/table/projects.js';

/** The project stack's output naming the function version of the deployment it was last updated with. */
export const PREVIEW_VERSION_OUTPUT = 'PreviewVersion';

/** `$.stack.described` as the workflow's DescribeStacks step leaves it (CloudFormation's Stacks[0]). */
const StackOutputs = v.object({
  stack: v.object({
    described: v.object({ Outputs: v.optional(v.array(v.object({ OutputKey: v.string(), OutputValue: v.string() })), []) }),
  }),
});

/** The qualifier the router invokes for this preview: the version the stack update just published. */
export function previewQualifier(state: unknown): string {
  const parsed = v.safeParse(StackOutputs, state);
  const value = parsed.success
    ? parsed.output.stack.described.Outputs.find((o) => o.OutputKey === PREVIEW_VERSION_OUTPUT)?.OutputValue
    : undefined;
  if (!value || !FUNCTION_QUALIFIER_PATTERN.test(value)) {
    throw new Error(`the project stack has no usable ${PREVIEW_VERSION_OUTPUT} output (pipeline input field stack.described.Outputs)`);
  }
  return value;
}

/**
 * Releases a deployment as the preview `alias`: its routes, then the pointer `p:{project}--{alias}`
 * (replacing the alias's previous deployment). The project's live pointer — in DynamoDB and in
 * the route cache — is never touched, so production keeps serving. The project record only gets
 * `lastPreviewAt`, written under the same condition as a live release (the project exists and is
 * not being deleted), so a preview cannot resurrect keys after a delete has started.
 */
export async function releasePreview(
  cache: RouteCache,
  project: string,
  alias: string,
  deploymentId: string,
  qualifier: string,
  routes: Record<string, string>,
): Promise<void> {
  await cache.putMany(routes);
  await setProjectLastPreviewAt(project, new Date().toISOString());
  await cache.putMany({ [previewKey(project, alias)]: pointerValue(deploymentId, qualifier) });
}
