// Package lint checks AWS KMS key policies and IAM policies for mistakes and risky grants of access, with stable finding codes.
package lint
