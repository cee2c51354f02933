/**
 * The prerendered-route cache: the key/value store the viewer-request function reads.
 * A CloudFront KeyValueStore on AWS, a file store locally; keys are described in docs/ARCHITECTURE.md.
 */
export interface RouteCache {
  get(key: string): Promise<string | undefined>;
  putMany(entries: Record<string, string>): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
}
