import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface NagFinding {
  /** `AwsSolutions-<rule>` or, for per-finding rules, `AwsSolutions-<rule>[<finding>]`. */
  rule: string;
  severity: string;
  description: string;
  /** Construct paths of the resources that break the rule. */
  paths: string[];
}

/**
 * Runs cdk-nag's AwsSolutions pack over an App or Stack and returns every finding that is not
 * acknowledged. cdk-nag v3 is a CDK policy-validation plugin: findings no longer arrive as
 * Annotations, and suppressions are `Validations.of(construct).acknowledge({ id, reason })`
 * in the constructs themselves. The tree is synthesized first, so aspects have run.
 */
export function nagFindings(scope: App | Stack): NagFinding[] {
  const app = scope instanceof App ? scope : (scope.node.root as IConstruct);
  if (app instanceof App) app.synth();
  const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(scope);
  return report.violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity ?? 'error',
    description: violation.description,
    paths: violation.violatingResources.map((resource) => resource.constructPath ?? resource.resourceLogicalId ?? '(unknown)'),
  }));
}

/** One line per finding, for a readable failure message. */
export function formatFindings(findings: NagFinding[]): string {
  return findings.map((f) => `${f.severity} ${f.rule}: ${f.description}\n    ${f.paths.join('\n    ')}`).join('\n');
}

/** Findings whose resources all live under the given construct path prefixes. */
export function findingsUnder(findings: NagFinding[], prefixes: string[]): NagFinding[] {
  return findings
    .map((f) => ({ ...f, paths: f.paths.filter((path) => prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) }))
    .filter((f) => f.paths.length > 0);
}

/** Throws with every unacknowledged AwsSolutions finding (errors and warnings alike) of the scope. */
export function assertNoNagFindings(scope: App | Stack, options: { only?: string[] } = {}): void {
  const all = nagFindings(scope);
  const findings = options.only ? findingsUnder(all, options.only) : all;
  if (findings.length > 0) throw new Error(`cdk-nag AwsSolutions findings without an acknowledgment:\n${formatFindings(findings)}`);
}
