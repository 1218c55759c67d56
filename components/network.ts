/**
 * The clone's network quarantine. The clone gets its OWN security group (never production's:
 * those admit production's application servers from the clone's first minute, before it is
 * sanitized). One group per clone generation (its name is the cluster identifier), so a
 * refresh's new, still unsanitized clone never inherits the team access of the live one.
 *
 *   - runner rules (runnerCidrs / runnerSecurityGroupIds): created with the group, before the
 *     cluster, so the sanitizer and the hooks of this `pulumi up` can connect;
 *   - team rules (allowFrom): created only after the verification gate (Sanitization + hooks),
 *     like the Route 53 record and the connection secret.
 *
 * Rules are separate aws.vpc.SecurityGroupIngressRule resources (not inline `ingress`): the AWS
 * provider's inline rules would fight with rules added later and drop them on the next update.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface Sources {
  cidrs: string[];
  securityGroupIds: string[];
}

interface RuleArgs {
  group: aws.ec2.SecurityGroup;
  port: number;
  sources: Sources;
  /** Resource name prefix, e.g. "staging-runner". */
  prefix: string;
  /** Rule description shown in the console. */
  description: string;
  tags: Record<string, string>;
}

/** The clone's own, empty security group in `vpcId`. */
export function cloneSecurityGroup(
  name: string,
  args: { clusterIdentifier: string; vpcId: string; tags: Record<string, string> },
  opts: pulumi.CustomResourceOptions,
): aws.ec2.SecurityGroup {
  return new aws.ec2.SecurityGroup(
    name,
    {
      // Per generation: a new clone gets a new group (create-before-delete, names differ).
      name: args.clusterIdentifier,
      description: "aurora-staging clone: runner until verified, then the team (allowFrom)",
      vpcId: args.vpcId,
      tags: { ...args.tags, Name: args.clusterIdentifier },
    },
    { ...opts, deleteBeforeReplace: false },
  );
}

/** One ingress rule on the DB port per CIDR block and per security group. */
export function ingressRules(args: RuleArgs, opts: pulumi.CustomResourceOptions): aws.vpc.SecurityGroupIngressRule[] {
  const common = {
    securityGroupId: args.group.id,
    ipProtocol: "tcp",
    fromPort: args.port,
    toPort: args.port,
    description: args.description,
    tags: args.tags,
  };
  const cidrRules = args.sources.cidrs.map(
    (cidr, i) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${args.prefix}-cidr-${i + 1}`,
        { ...common, ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }) },
        opts,
      ),
  );
  const groupRules = args.sources.securityGroupIds.map(
    (sg, i) => new aws.vpc.SecurityGroupIngressRule(`${args.prefix}-sg-${i + 1}`, { ...common, referencedSecurityGroupId: sg }, opts),
  );
  return [...cidrRules, ...groupRules];
}
