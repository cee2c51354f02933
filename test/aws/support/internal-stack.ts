import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { App, ArnFormat, Stack, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { InternalSystem } from '../../../infra/aws/internal/internal-system.js';
import { PlatformStorage } from '../../../infra/aws/storage/platform-storage.js';

/** A stack with the platform storage and the internal system, state machine ARNs named as the pipeline names them. */
export function internalTestStack(
  options: { domainName?: string; withCertificate?: boolean; githubSecretArn?: string; dashboardBundleDirectory?: string } = {},
): {
  app: App;
  stack: Stack;
  storage: PlatformStorage;
  internal: InternalSystem;
} {
  const app = new App();
  const stack = new Stack(app, 'InternalTest');
  const storage = new PlatformStorage(stack, 'Storage');
  const machine = (name: string) =>
    stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const internal = new InternalSystem(stack, 'Internal', {
    storage,
    stateMachineArns: {
      initProject: machine('slipway-init-project'),
      buildAndDeploy: machine('slipway-build-and-deploy'),
      deleteProject: machine('slipway-delete-project'),
      rollback: machine('slipway-rollback'),
    },
    domainName: options.domainName,
    ...(options.dashboardBundleDirectory ? { dashboardBundleDirectory: options.dashboardBundleDirectory } : {}),
    originSecret: new secretsmanager.Secret(stack, 'OriginSecret').secretValue.unsafeUnwrap(),
    ...(options.githubSecretArn
      ? { githubSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'GithubSecret', options.githubSecretArn) }
      : {}),
    certificate: options.withCertificate
      ? acm.Certificate.fromCertificateArn(
          stack,
          'Certificate',
          'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
        )
      : undefined,
  });
  return { app, stack, storage, internal };
}
