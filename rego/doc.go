// Package rego translates AWS policy documents into Rego modules and evaluates them with OPA.
package rego
