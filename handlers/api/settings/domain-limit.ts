/**
 * The one place a custom-domain limit is enforced: the POST …/domains route calls this before it
 * claims a host, with the number of domains the project holds now. The subscription limit
 * `customDomainsPerProject` goes here (throw an ApiError naming the limit and its value); until
 * subscriptions exist there is no limit.
 */
export async function assertCustomDomainAllowed(_project: string, _currentCount: number): Promise<void> {}
