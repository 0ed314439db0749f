package trail_test

import (
	"testing"

	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
)

func tuitestServiceWithoutTrail(t *testing.T) tui.Service {
	return tui.NewService(tuitest.World(t), t.TempDir())
}
