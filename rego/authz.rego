# How AWS KMS combines the policies that apply to a request: the entry point of kmsim's decisions.
#
# input.policies names the translated policy modules that apply, by the key of their package
# under data.kmsim.policies ("p_..."):
#   resource: the key policy (or role trust policy); absent for actions without a resource
#   scp: one array per level of the organization, root first; every level must allow
#   identity: the caller's identity policies
#   boundary: its permissions boundary, if any
#   session: its session policies, if any
#   vpce: the policy of the VPC endpoint the call came through, if any
# input.principal.root and input.principal.aws_service mark the root user and AWS service
# principals; input.resource_account is the account owning the resource.
# input.grants (optional) lists the KMS grants on the resource, input.encryption_context the
# request's encryption context (keys and values as given; see grant).
#
# Only the rules matched and missing_context (through the policy modules) read input.context, and
# only grants_in_context reads input.encryption_context: kmsim partially evaluates these three
# sets for the rest of the input and decides with their members given, so the other rules must
# not read the context or the encryption context themselves.
#
# Without input.policies, the request is completed from data.kmsim.world (a bundle written by
# `kmsim rego bundle`): input.principal is then the caller's ARN and input.resource a key, alias
# or role ARN, and input.vpce (optional) the id of the VPC endpoint the call came through (see
# world_verdict).
package kmsim.authz

import data.kmsim.policies

# decision is kmsim's answer: {"effect", "reason", "matched", "missing_context", "grant"}.
decision := verdict if {
	input.policies
} else := world_verdict

verdict := {
	"effect": outcome[0],
	"reason": outcome[1],
	"matched": matched,
	"missing_context": missing_context,
	"grant": grant,
}

# slots lists the policies that take part, as [role, level, position, package key]. Identity
# policies, the boundary and session policies are ignored for the root user and AWS service
# principals, SCPs for service principals.
slots contains ["resource", 0, 0, input.policies.resource]

slots contains ["scp", l, i, p] if {
	not input.principal.aws_service
	some l, level in input.policies.scp
	some i, p in level
}

slots contains [role, 0, i, p] if {
	not exempt
	some role in ["identity", "session"]
	some i, p in input.policies[role]
}

slots contains ["boundary", 0, 0, input.policies.boundary] if not exempt

slots contains ["vpce", 0, 0, input.policies.vpce]

exempt if input.principal.root

exempt if input.principal.aws_service

# matched lists every statement that matched, with the policy it belongs to.
matched contains {"role": s[0], "level": s[1], "position": s[2], "index": m.index, "sid": m.sid, "via": m.via, "effect": "Allow"} if {
	some s in slots
	some m in policies[s[3]].allow
}

matched contains {"role": s[0], "level": s[1], "position": s[2], "index": m.index, "sid": m.sid, "via": m.via, "effect": "Deny"} if {
	some s in slots
	some m in policies[s[3]].deny
}

missing_context contains key if {
	some s in slots
	some key in policies[s[3]].missing
}

allowed_in contains m.role if {
	some m in matched
	m.effect == "Allow"
}

denied_in contains m.role if {
	some m in matched
	m.effect == "Deny"
}

scp_levels_allowing contains m.level if {
	some m in matched
	m.role == "scp"
	m.effect == "Allow"
}

resource_vias contains m.via if {
	some m in matched
	m.role == "resource"
	m.effect == "Allow"
}

# outcome is [effect, reason], decided in this order:
#  1. an explicit deny in any applicable policy wins;
#  2. every SCP level must allow, and so must the VPC endpoint policy of a call through one;
#  3. cross-account, a KMS permission that cannot be used cross-account is not effective (see
#     cross_account_actions); without a resource policy, the identity side decides;
#  4. the resource policy must allow; cross-account, the identity side must allow too;
#  5. in the key's account, an allow naming the caller (or "*") suffices, one naming a role
#     session's role is bounded by its boundary and session policies, and one naming the
#     account principal delegates to the identity side.
#  6. failing that, a grant allows (see grant).
outcome := ["allowed", ""] if {
	grant != ""
} else := policy_outcome

# policy_outcome is the outcome of the policies alone, steps 1 to 5.
policy_outcome := ["explicitDeny", explicit_reason] if {
	count(denied_in) > 0
} else := ["implicitDeny", "no service control policy allows"] if {
	not scps_allow
} else := ["implicitDeny", "no VPC endpoint policy allows"] if {
	not vpce_allows
} else := ["implicitDeny", "no resource-based policy allows"] if {
	not_effective_cross_account
} else := identity_outcome if {
	not input.policies.resource
} else := ["implicitDeny", "no resource-based policy allows"] if {
	not "resource" in allowed_in
} else := identity_outcome if {
	cross_account
} else := ["allowed", ""] if {
	some via in resource_vias
	via in {"principal", "anyone"}
} else := ["allowed", ""] if {
	input.principal.root
	"account" in resource_vias
} else := bounded_outcome if {
	"role" in resource_vias
} else := identity_outcome if {
	"account" in resource_vias
	not input.principal.aws_service
} else := ["implicitDeny", "no resource-based policy allows"]

# grant is the id of the grant that allows a request the policies do not allow, the lowest id
# when several do, and "" otherwise. A grant allows its operations on its key to its grantee:
# the caller's ARN, the role of a role session, or the caller's account, which delegates to the
# caller's identity policies as a key policy naming the account does. Its encryption context
# constraints apply only to the operations that take an encryption context: with
# encryption_context_equals the request's encryption context must be exactly that, with
# encryption_context_subset it must hold those pairs (case-sensitive). A grant cannot override an
# explicit deny, every SCP level must still allow and so must the VPC endpoint policy of a call
# through one; permissions boundaries and session policies do not limit it.
grant := min(granting) if {
	count(granting) > 0
	policy_outcome[0] == "implicitDeny"
	scps_allow
	vpce_allows
} else := ""

granting contains g.id if {
	some i in grants_in_context
	g := input.grants[i]
	grantee_allowed(g.grantee)
}

# grants_in_context lists, by position, the grants of the resource for the action whose
# encryption context constraints the request meets. It is the only rule that reads the
# encryption context.
grants_in_context contains i if {
	some i, g in input.grants
	g.key_arn == input.resource
	some op in g.operations
	lower(concat(":", ["kms", op])) == input.action
	grant_constraints_hold(g, lower(op))
}

grantee_allowed(grantee) if grantee == input.principal.arn

grantee_allowed(grantee) if input.principal.aws[grantee] == "role"

grantee_allowed(grantee) if {
	input.principal.aws[grantee] == "account"
	identity_outcome[0] == "allowed"
}

# encryption_context_operations are the grant operations that take an encryption context (for
# CreateGrant, the constraints of the grant being created).
encryption_context_operations := {
	"decrypt", "encrypt", "generatedatakey", "generatedatakeywithoutplaintext", "generatedatakeypair",
	"generatedatakeypairwithoutplaintext", "reencryptfrom", "reencryptto", "creategrant",
}

grant_constraints_hold(_, op) if not op in encryption_context_operations

grant_constraints_hold(g, op) if {
	op in encryption_context_operations
	encryption_context_equals_holds(g)
	every k, v in object.get(g, "encryption_context_subset", {}) {
		input.encryption_context[k] == v
	}
}

encryption_context_equals_holds(g) if not "encryption_context_equals" in object.keys(g)

encryption_context_equals_holds(g) if g.encryption_context_equals == request_encryption_context

request_encryption_context := object.get(input, "encryption_context", {})

# explicit_reason names the first policy type with a matching Deny statement.
explicit_reason := "explicit deny in a resource-based policy" if {
	"resource" in denied_in
} else := "explicit deny in a service control policy" if {
	"scp" in denied_in
} else := "explicit deny in a VPC endpoint policy" if {
	"vpce" in denied_in
} else := "explicit deny in an identity-based policy" if {
	"identity" in denied_in
} else := "explicit deny in a permissions boundary" if {
	"boundary" in denied_in
} else := "explicit deny in a session policy"

scps_allow if input.principal.aws_service

scps_allow if not input.policies.scp

scps_allow if {
	every l, _ in input.policies.scp {
		l in scp_levels_allowing
	}
}

cross_account if {
	not input.principal.aws_service
	input.resource_account != ""
	input.principal.account != input.resource_account
}

vpce_allows if not input.policies.vpce

vpce_allows if "vpce" in allowed_in

# not_effective_cross_account: "If you give a principal in a different account a permission that
# can't be used on a cross-account resource, the permission is not effective."
not_effective_cross_account if {
	cross_account
	startswith(input.action, "kms:")
	not input.action in cross_account_actions
}

# cross_account_actions are the KMS permissions a principal of another account can use on a key:
# those with "Cross-account use: Yes" in the guide's permissions table
# (../shared/reference/permissions.json, checked by TestCrossAccountActions), and
# kms:DeriveSharedSecret and kms:Decapsulate, newer than the table, which AWS documents as usable
# cross-account.
cross_account_actions := {
	"kms:creategrant", "kms:decapsulate", "kms:decrypt", "kms:derivesharedsecret", "kms:describekey",
	"kms:encrypt", "kms:generatedatakey", "kms:generatedatakeypair",
	"kms:generatedatakeypairwithoutplaintext", "kms:generatedatakeywithoutplaintext", "kms:generatemac",
	"kms:getkeyrotationstatus", "kms:getpublickey", "kms:listgrants", "kms:reencryptfrom",
	"kms:reencryptto", "kms:retiregrant", "kms:revokegrant", "kms:sign", "kms:verify", "kms:verifymac",
}

# identity_outcome: the identity policies must allow, within the boundary and the session
# policies; the root user needs none.
identity_outcome := ["allowed", ""] if {
	input.principal.root
} else := ["implicitDeny", "no identity-based policy allows"] if {
	not "identity" in allowed_in
} else := bounded_outcome

# bounded_outcome: the boundary and session policies, if any, must allow.
bounded_outcome := ["implicitDeny", "no permissions boundary allows"] if {
	not exempt
	input.policies.boundary
	not "boundary" in allowed_in
} else := ["implicitDeny", "no session policy allows"] if {
	not exempt
	count(input.policies.session) > 0
	not "session" in allowed_in
} else := ["allowed", ""]

# world_verdict decides a request written against the world of a bundle: input.principal is the
# caller's ARN, input.resource a key ARN, an alias ARN, a role ARN (for sts:AssumeRole) or "*",
# input.action as AWS spells it and input.context (optional) the request's own condition keys.
# The caller's policies and global condition keys come from data.kmsim.world.principals, the
# resource's policy and account from data.kmsim.world.resources.
world_verdict := v if {
	v := verdict with input as world_input
}

world_input := {
	"principal": world_caller.principal,
	"action": lower(input.action),
	"resource": world_resource,
	"resource_account": object.get(world_resource_info, "account", ""),
	"context": object.union_n([world_caller.context, world_clock, world_resource_context, world_vpce_context, world_request_context]),
	"policies": object.union_n([world_caller.policies, world_resource_policies, world_vpce_policies]),
}

world_caller := data.kmsim.world.principals[input.principal]

world_resource := arn if {
	arn := data.kmsim.world.aliases[input.resource]
} else := input.resource

world_resource_info := object.get(data.kmsim.world.resources, world_resource, {})

world_resource_policies := {"resource": world_resource_info.policy} if {
	world_resource_info.policy
} else := {}

world_resource_context := {"aws:resourceaccount": [world_resource_info.account]} if {
	world_resource_info.account
} else := {}

# world_vpce is the VPC endpoint input.vpce names in data.kmsim.world.vpc_endpoints.
world_vpce := data.kmsim.world.vpc_endpoints[input.vpce]

world_vpce_policies := {"vpce": world_vpce.policy} if {
	world_vpce.policy
} else := {}

world_vpce_context := {"aws:sourcevpce": [input.vpce], "aws:sourcevpc": [world_vpce.vpc]} if {
	world_vpce
} else := {}

world_clock := {
	"aws:currenttime": [time.format(time.now_ns())],
	"aws:epochtime": [format_int(time.now_ns() / 1000000000, 10)],
}

world_request_context := {lower(k): values(v) | some k, v in object.get(input, "context", {})}

values(v) := v if {
	is_array(v)
} else := [v]
