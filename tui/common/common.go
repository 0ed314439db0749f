// Package common holds what every TUI component shares: size, styles, key map and context.
package common

import (
	"context"
	"os"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Common is handed by value to every component: the space it may draw in, the styles and keys it
// uses, and the context its commands run under.
type Common struct {
	Width, Height int
	Styles        *Styles
	Keys          *KeyMap
	Ctx           context.Context
}

// New returns a Common with the default styles and key map.
func New(ctx context.Context) Common {
	if ctx == nil {
		ctx = context.Background()
	}
	return Common{Styles: DefaultStyles(), Keys: DefaultKeyMap(), Ctx: ctx}
}

// SetSize records the space a component may draw in.
func (c *Common) SetSize(width, height int) { c.Width, c.Height = width, height }

// Component is what a page composes: a model that draws in the size it is given and lists its keys.
type Component interface {
	help.KeyMap
	SetSize(width, height int)
	View() string
}

// ApplyColorProfile sets the colour profile lipgloss renders with: plain ASCII (no colours, no
// attributes) when NO_COLOR is set in the environment, as https://no-color.org asks.
func ApplyColorProfile() {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
}
