import { type Mapping, NO_PROFILE, type RuleSet, ruleSets } from './schema.js';

/**
 * Confused deputy: profile-guard attaches whatever profile an instance's tags ask for, so anyone
 * allowed to launch or tag an instance can obtain any profile a rule hands out on tags they can
 * set. Keys beginning `aws:` cannot be set by users (EC2 refuses them, in any letter case; AWS
 * services set them: Auto Scaling, launch templates, CloudFormation), and a VPC or subnet is
 * guarded by IAM on the network. A rule anchored on neither is worth a warning, not an error:
 * an SCP or tag policy restricting ec2:CreateTags on its keys closes the gap outside the mapping.
 */
export function isSystemTagKey(key: string): boolean {
  return key.toLowerCase().startsWith('aws:');
}

export function confusedDeputyWarnings(mapping: Mapping): string[] {
  const warnings: string[] = [];
  for (const set of ruleSets(mapping)) warnings.push(...ruleSetWarnings(set.where, set));
  return warnings;
}

/** The warnings for one list of rules and its default; `where` names an override (`overrides[0] `), empty at the top level. */
function ruleSetWarnings(where: string, set: RuleSet): string[] {
  const warnings: string[] = [];
  set.rules.forEach((rule, index) => {
    if (rule.profile === NO_PROFILE) return;
    const { tags, vpc, subnet } = rule.match;
    if (vpc || subnet) return;
    const entries = [...(tags ?? [])];
    // `aws:autoscaling:groupName: "*"` only says "in some group": anyone who can create a group satisfies it.
    if (entries.some(([key, pattern]) => isSystemTagKey(key) && !/^\**$/.test(pattern))) return;
    const keys = entries.map(([key]) => key).join(', ');
    warnings.push(
      `${where}rule ${index} "${rule.name}" attaches ${rule.profile} on tags anyone allowed to launch or tag instances can set (${keys}), so they can give an instance ${rule.profile}. ` +
        `Also match an aws: system tag (aws:autoscaling:groupName, aws:ec2launchtemplate:id, aws:cloudformation:stack-name) or a vpc/subnet, ` +
        `or deny ec2:CreateTags and ec2:DeleteTags on ${keys} to all but your platform role (SCP with aws:TagKeys, or a tag policy)`,
    );
  });
  if (set.default !== undefined && set.default !== NO_PROFILE) {
    warnings.push(
      `${where}default attaches ${set.default} to every instance no rule matches: anyone who can launch an instance (or remove its tags) gets it. ` +
        `Keep the default a least-privilege baseline profile, or remove "default" to leave unmatched instances alone`,
    );
  }
  return warnings;
}
