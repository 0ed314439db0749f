package common

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the key bindings shared by every page; pages add their own through ShortHelp.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Select, Back, Quit, Help              key.Binding
	Filter, Sort, Prompt, Toggle          key.Binding
	NextField, PrevField, Left, Right     key.Binding
	Keys, Trail, Explain, Findings        key.Binding
	Refresh                               key.Binding
	ErrorsOnly, EventName, Principal      key.Binding
	ClearFilters, ExplainEvent, Window    key.Binding
}

// DefaultKeyMap returns the TUI's key bindings.
func DefaultKeyMap() *KeyMap {
	b := func(keys []string, k, h string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, h))
	}
	return &KeyMap{
		Up:           b([]string{"up", "k"}, "↑/k", "up"),
		Down:         b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:       b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown:     b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Home:         b([]string{"home", "g"}, "g", "top"),
		End:          b([]string{"end", "G"}, "G", "bottom"),
		Select:       b([]string{"enter"}, "enter", "open"),
		Back:         b([]string{"esc", "q"}, "q/esc", "back"),
		Quit:         b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Help:         b([]string{"?"}, "?", "help"),
		Filter:       b([]string{"/"}, "/", "filter"),
		Sort:         b([]string{"s"}, "s", "sort"),
		Prompt:       b([]string{":"}, ":", "sql"),
		Toggle:       b([]string{"r"}, "r", "rego"),
		NextField:    b([]string{"tab", "down"}, "tab", "next field"),
		PrevField:    b([]string{"shift+tab", "up"}, "shift+tab", "prev field"),
		Left:         b([]string{"left", "h"}, "←/h", "previous"),
		Right:        b([]string{"right", "l"}, "→/l", "next"),
		Keys:         b([]string{"1"}, "1", "keys"),
		Trail:        b([]string{"2"}, "2", "trail"),
		Explain:      b([]string{"3"}, "3", "explain"),
		Findings:     b([]string{"4"}, "4", "findings"),
		Refresh:      b([]string{"ctrl+r"}, "ctrl+r", "refresh"),
		ErrorsOnly:   b([]string{"e"}, "e", "errors only"),
		EventName:    b([]string{"n"}, "n", "event name"),
		Principal:    b([]string{"p"}, "p", "principal"),
		ClearFilters: b([]string{"c"}, "c", "clear filters"),
		ExplainEvent: b([]string{"x"}, "x", "explain"),
		Window:       b([]string{"t"}, "t", "time window"),
	}
}

// Nav lists the movement bindings, for FullHelp.
func (k *KeyMap) Nav() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// Views lists the bindings that switch views, for FullHelp.
func (k *KeyMap) Views() []key.Binding { return []key.Binding{k.Keys, k.Trail, k.Explain, k.Findings} }

// App lists the application bindings, for FullHelp.
func (k *KeyMap) App() []key.Binding { return []key.Binding{k.Help, k.Back, k.Quit} }
