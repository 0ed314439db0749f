//go:build !unix

package trail

import "os"

// lockFile does nothing where flock(2) is unavailable.
func lockFile(*os.File) error { return nil }
