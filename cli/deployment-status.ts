/** What the list and the detail show of a deployment. */
export interface ListedDeployment {
  id: string;
  status: string;
  createdAt: string;
  current?: boolean;
  preview?: string;
  url?: string;
  failedState?: string;
  error?: string;
}

/**
 * The word that says what serves: SERVING (production answers with it), WAS LIVE (it was production
 * once: a rollback target), PREVIEW (its alias answers with it), OLD PREVIEW (a newer deployment of its
 * alias went live since); the stored status otherwise (QUEUED, BUILDING, FAILED, CANCELLED, SUPERSEDED).
 * `all` is the project's deployments, newest first, as the API lists them.
 */
export function servingWord(deployment: ListedDeployment, all: readonly ListedDeployment[]): string {
  if (deployment.current) return 'SERVING';
  if (deployment.status !== 'LIVE') return deployment.status;
  if (!deployment.preview) return 'WAS LIVE';
  const newest = all.find((d) => d.preview === deployment.preview && d.status === 'LIVE');
  return newest?.id === deployment.id ? 'PREVIEW' : 'OLD PREVIEW';
}
