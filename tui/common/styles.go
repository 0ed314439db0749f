package common

import "github.com/charmbracelet/lipgloss"

// Styles are the lipgloss styles the TUI draws with. Under the ASCII profile (NO_COLOR) they render
// as plain text, so nothing may depend on colour alone: the table cursor is also a "›" marker.
type Styles struct {
	App        lipgloss.Style
	Title      lipgloss.Style
	Tab        lipgloss.Style
	ActiveTab  lipgloss.Style
	Header     lipgloss.Style
	Selected   lipgloss.Style
	Muted      lipgloss.Style
	Label      lipgloss.Style
	Error      lipgloss.Style
	Allowed    lipgloss.Style
	Denied     lipgloss.Style
	StatusBar  lipgloss.Style
	StatusKey  lipgloss.Style
	Pane       lipgloss.Style
	PaneTitle  lipgloss.Style
	Prompt     lipgloss.Style
	Severities map[string]lipgloss.Style
}

// DefaultStyles returns the TUI's styles.
func DefaultStyles() *Styles {
	accent := lipgloss.AdaptiveColor{Light: "#5A56E0", Dark: "#7571F9"}
	muted := lipgloss.AdaptiveColor{Light: "#8A8A8A", Dark: "#777777"}
	red := lipgloss.Color("#E05561")
	green := lipgloss.Color("#4FB66E")
	yellow := lipgloss.Color("#D7A54B")
	return &Styles{
		Title:     lipgloss.NewStyle().Bold(true).Foreground(accent),
		Tab:       lipgloss.NewStyle().Foreground(muted),
		ActiveTab: lipgloss.NewStyle().Bold(true).Underline(true),
		Header:    lipgloss.NewStyle().Bold(true).Foreground(accent),
		Selected:  lipgloss.NewStyle().Bold(true).Reverse(true),
		Muted:     lipgloss.NewStyle().Foreground(muted),
		Label:     lipgloss.NewStyle().Bold(true),
		Error:     lipgloss.NewStyle().Foreground(red),
		Allowed:   lipgloss.NewStyle().Bold(true).Foreground(green),
		Denied:    lipgloss.NewStyle().Bold(true).Foreground(red),
		StatusBar: lipgloss.NewStyle().Foreground(muted),
		StatusKey: lipgloss.NewStyle().Bold(true).Foreground(accent),
		PaneTitle: lipgloss.NewStyle().Bold(true).Foreground(accent),
		Prompt:    lipgloss.NewStyle().Foreground(accent),
		Severities: map[string]lipgloss.Style{
			"ERROR": lipgloss.NewStyle().Foreground(red), "SECURITY_WARNING": lipgloss.NewStyle().Foreground(red),
			"WARNING": lipgloss.NewStyle().Foreground(yellow), "critical": lipgloss.NewStyle().Foreground(red),
			"high": lipgloss.NewStyle().Foreground(red), "medium": lipgloss.NewStyle().Foreground(yellow),
		},
	}
}
