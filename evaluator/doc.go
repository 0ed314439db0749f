// Package evaluator decides AWS KMS authorization requests from key policies, IAM policies and grants, and explains each decision.
package evaluator
