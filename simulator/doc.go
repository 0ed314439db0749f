// Package simulator serves the AWS KMS and STS APIs over HTTP, authorizing every call with the evaluator and recording it in the trail.
package simulator
