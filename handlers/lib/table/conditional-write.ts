import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Awaits a DynamoDB write that carries a ConditionExpression: its output, or undefined when the
 * condition did not hold. Every other error is rethrown. The decision stays with DynamoDB, which
 * is what makes these writes safe under concurrency (dynalite has no transactions).
 */
export async function conditionally<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
