package common

import tea "github.com/charmbracelet/bubbletea"

// ErrorMsg carries an error from a command to the status bar.
type ErrorMsg struct{ Err error }

func (e ErrorMsg) Error() string { return e.Err.Error() }

// ErrorCmd returns a command that reports err.
func ErrorCmd(err error) tea.Cmd {
	return func() tea.Msg { return ErrorMsg{Err: err} }
}

// StatusMsg is a short informational note for the status bar.
type StatusMsg string

// GoBackMsg asks the root to leave the current page for the previous one.
type GoBackMsg struct{}

// OpenWhoCanMsg asks the root to show who can use a key.
type OpenWhoCanMsg struct{ Key Key }

// OpenDryRunMsg asks the root to edit a key's policy and show what the edit would change.
type OpenDryRunMsg struct{ Key Key }

// OpenPrincipalMsg asks the root to show a principal.
type OpenPrincipalMsg struct{ ARN string }

// PolicySavedMsg says a key's policy was saved: views showing the key reload it.
type PolicySavedMsg struct{ Key Key }

// OpenStatementMsg asks the root to show a key with its policy scrolled to statement Statement
// (-1: the top), as a lint finding locates it.
type OpenStatementMsg struct {
	Key       Key
	Statement int
}

// OpenEventsMsg asks the root to show the trail's events with the ids IDs (a detection's), named Title.
type OpenEventsMsg struct {
	Title string
	IDs   []string
}

// OpenTrailMsg asks the root to show the trail's events on a key.
type OpenTrailMsg struct{ KeyARN string }

// ExplainEventMsg asks the root to decide again, in the explain view, the request a trail event records.
type ExplainEventMsg struct {
	EventID   string
	Principal string // the caller's ARN
	Action    string // kms:EVENTNAME
	KeyARN    string
	Context   []string // KEY=VALUE: the request's encryption context
}
