// Package analysis answers questions built on decisions: who can use a key, what a principal can do, what a policy change gains or loses, and which recorded calls it would change.
package analysis
