import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (v3) reads acknowledgments from CDK's own validation metadata, so constructs
 * acknowledge a finding where the resource is defined, with its reason, and never import cdk-nag.
 */
export function acknowledge(scope: IConstruct, rules: Record<string, string>): void {
  for (const [id, reason] of Object.entries(rules)) Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The text cdk-nag shows for a policy resource (its `flattenCfnReference`): `<Logical.Arn>/x/*`.
 * Resolved now, so it holds while the referenced resources live in the same stack as the policy.
 */
export function nagResource(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const n = node as Record<string, unknown>;
    if (n['Fn::Join']) {
      const [delimiter, items] = n['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (n['Fn::GetAtt']) {
      const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (n['Ref']) return `<${visit(n['Ref'])}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/** How cdk-nag prints a region/account: the literal, or `<AWS::Region>` for an environment-agnostic stack. */
export function nagText(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? `<${pseudo}>` : value;
}

/** The findings every Slipway Lambda has by construction, acknowledged once in handlerFunction(). */
export const LAMBDA_NAG = {
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    'The AWS managed basic execution role only lets the function write its own CloudWatch logs; it grants nothing on platform data.',
  'AwsSolutions-IAM5[Resource::*]':
    'xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) support no resource-level permissions; nothing else uses "*".',
  'AwsSolutions-L1':
    'Every Slipway Lambda uses the runtime pinned once in handlerFunction() (Node 22, the version the handlers and the local back end are built and tested with); it moves for all functions at once.',
};
