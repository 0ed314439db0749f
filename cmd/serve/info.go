package serve

import (
	"encoding/json"
	"os"
	"path/filepath"
)

func writeJSONFile(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadServerInfo reads DIR/server.json; ok is false when no server has written one.
func ReadServerInfo(dir string) (info ServerInfo, ok bool) {
	data, err := os.ReadFile(filepath.Join(dir, "server.json"))
	if err != nil || json.Unmarshal(data, &info) != nil {
		return ServerInfo{}, false
	}
	return info, true
}
