package root

import "strings"

// isArgError recognizes cobra's argument-count and unknown-command errors, which are usage mistakes.
func isArgError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "requires at least") ||
		strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag")
}
