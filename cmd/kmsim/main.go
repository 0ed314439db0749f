// Command kmsim runs the AWS KMS simulator and its policy and trail tools.
package main

import (
	"os"

	"github.com/kmsim/kmsim/cmd/root"
)

func main() {
	os.Exit(int(root.Main()))
}
