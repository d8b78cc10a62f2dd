/**
 * Every AWS operation profile-guard sends, with the IAM actions it needs, declared as data
 * next to the code that sends it (lib/aws/<service>.ts). The function role, the operator
 * policy and `profile-guard policy` are generated from these declarations (policies/generate.ts),
 * and an integration test runs the service on moto with IAM enforced under the generated policy.
 */
export interface AwsOperation {
  /** "ec2:AssociateIamInstanceProfile": service prefix and API name, as CloudTrail names it. */
  readonly id: string;
  /** IAM actions the call needs (a passed role or an encrypted topic adds actions beyond its own). */
  readonly iam: readonly string[];
}

export function operation(id: string, iam: readonly string[] = [id]): AwsOperation {
  return { id, iam };
}

/** The IAM actions a set of operations needs, de-duplicated, in declaration order. */
export function actionsOf(operations: readonly AwsOperation[]): string[] {
  return [...new Set(operations.flatMap((o) => o.iam))];
}
