/**
 * The steps of docs/DEPLOY-AWS.md "A tenant's first deploy", as the per-project stack sees them:
 * the parameters of each CreateStack/UpdateStack the workflows make, `undefined` for the
 * DeleteStack. The replay (test/aws/permissions/tenant-stack-role.test.ts) runs them against the
 * service role; test/aws/deploy-guide.test.ts holds the guide's table to the same names.
 */
export const FIRST_DEPLOY_STEPS: ReadonlyArray<{ name: string; parameters: Record<string, string> | undefined }> = [
  { name: 'init-project: create the stack', parameters: { Project: 'demo', DeploymentId: 'none' } },
  { name: 'first deploy: update to d1', parameters: { Project: 'demo', DeploymentId: 'd1' } },
  { name: 'second deploy: update to d2', parameters: { Project: 'demo', DeploymentId: 'd2' } },
  { name: 'delete-project: delete the stack', parameters: undefined },
];
