# Shared helpers for policy modules translated by kmsim.
#
# input.principal: the caller. aws, service, federated and canonical_user map each name the
#   caller answers to in a Principal element to how it matches: "principal" (its own ARN, a
#   service, a federated or canonical user), "role" (the role of a role session) or "account"
#   (arn:aws:iam::ACCOUNT:root). Also account, root and aws_service.
# input.action: the IAM action, lower-cased.
# input.resource: the resource ARN, or "*".
# input.context: condition keys (lower-cased) to arrays of strings; absent keys are missing.
package kmsim.lib

# principal_via tells how the caller matched a Principal element: "principal" (named by its own
# ARN), "role" (a role session named by its role ARN), "anyone" ("*") or "account" (the account
# principal, which delegates to IAM policies).
principal_via(p) := "principal" if {
	direct(p)
} else := "role" if {
	some a in p.aws
	input.principal.aws[a] == "role"
} else := "anyone" if {
	p.any
} else := "account" if {
	some a in p.aws
	input.principal.aws[a] == "account"
}

direct(p) if {
	some a in p.aws
	input.principal.aws[a] == "principal"
}

direct(p) if {
	some kind in ["service", "federated", "canonical_user"]
	some name in p[kind]
	input.principal[kind][name]
}

# not_principal holds when some identity of the caller (its ARN, its role ARN, its account, its
# service or federated name) is not listed, so a NotPrincipal element applies to it.
not_principal(p) if {
	not p.any
	some kind in ["aws", "service", "federated"]
	some name, _ in input.principal[kind]
	not name in object.get(p, kind, [])
}

# resource_in holds when the resource matches one of the patterns (used for several patterns
# holding policy variables, whose values may contain the comma of a glob alternation).
resource_in(patterns) if {
	some p in patterns
	glob.match(p, null, input.resource)
}

present(key) if input.context[key]

# var is the single value of a policy variable; undefined when the key is missing or multi-valued.
var(key) := v if {
	vs := input.context[key]
	count(vs) == 1
	v := vs[0]
}

var_or(key, default_value) := v if {
	v := var(key)
} else := default_value

# any_match: the key is present and some request value matches some policy value.
# Used for positive operators, with or without ForAnyValue.
any_match(op, key, values) if {
	some r in input.context[key]
	one_match(op, values, r)
}

any_match_if_exists(_, key, _) if not present(key)

any_match_if_exists(op, key, values) if any_match(op, key, values)

# none_match: no request value matches any policy value; true when the key is missing.
# Used for negated operators (StringNotEquals, ...), unqualified or with ForAllValues.
none_match(op, key, values) if not any_match(op, key, values)

# some_unmatched: some request value matches none of the policy values (ForAnyValue with a
# negated operator); false when the key is missing.
some_unmatched(op, key, values) if {
	some r in input.context[key]
	not one_match(op, values, r)
}

some_unmatched_if_exists(_, key, _) if not present(key)

some_unmatched_if_exists(op, key, values) if some_unmatched(op, key, values)

# all_match: every request value matches some policy value (ForAllValues); true when the key is
# missing or empty.
all_match(op, key, values) if {
	every r in object.get(input.context, key, []) {
		one_match(op, values, r)
	}
}

# is_null holds when the key's presence is what the Null operator asks for ("true": missing).
is_null(key, values) if {
	some v in values
	lower(v) == "true"
	not present(key)
}

is_null(key, values) if {
	some v in values
	lower(v) == "false"
	present(key)
}

one_match(op, values, r) if {
	some p in values
	value_match(op, p, r)
}

value_match("StringEquals", p, r) if p == r

value_match("StringEqualsIgnoreCase", p, r) if lower(p) == lower(r)

value_match("StringLike", p, r) if glob.match(p, null, r)

value_match("BinaryEquals", p, r) if p == r

value_match("Bool", p, r) if lower(p) == lower(r)

value_match("NumericEquals", p, r) if to_number(r) == to_number(p)

value_match("NumericLessThan", p, r) if to_number(r) < to_number(p)

value_match("NumericLessThanEquals", p, r) if to_number(r) <= to_number(p)

value_match("NumericGreaterThan", p, r) if to_number(r) > to_number(p)

value_match("NumericGreaterThanEquals", p, r) if to_number(r) >= to_number(p)

value_match("DateEquals", p, r) if date_ns(r) == date_ns(p)

value_match("DateLessThan", p, r) if date_ns(r) < date_ns(p)

value_match("DateLessThanEquals", p, r) if date_ns(r) <= date_ns(p)

value_match("DateGreaterThan", p, r) if date_ns(r) > date_ns(p)

value_match("DateGreaterThanEquals", p, r) if date_ns(r) >= date_ns(p)

value_match("IpAddress", p, r) if net.cidr_contains(cidr(p), r)

value_match("ArnEquals", p, r) if arn_like(p, r)

value_match("ArnLike", p, r) if arn_like(p, r)

# date_ns reads epoch seconds, an RFC 3339 time or a YYYY-MM-DD date.
date_ns(s) := to_number(s) * 1000000000 if {
	regex.match(`^[0-9]+$`, s)
} else := time.parse_rfc3339_ns(s) if {
	contains(s, "T")
} else := time.parse_ns("2006-01-02", s)

cidr(p) := p if {
	contains(p, "/")
} else := concat("", [p, "/128"]) if {
	contains(p, ":")
} else := concat("", [p, "/32"])

# arn_like compares the six colon-separated parts of two ARNs one by one, with wildcards.
arn_like(p, r) if {
	pp := arn_parts(p)
	rp := arn_parts(r)
	every i, x in pp {
		glob.match(x, null, rp[i])
	}
}

arn_parts(s) := array.slice(regex.find_all_string_submatch_n(`^([^:]*):([^:]*):([^:]*):([^:]*):([^:]*):(.*)$`, s, 1)[0], 1, 7)
