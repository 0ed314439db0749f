package trail

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Use is the last successful cryptographic use of a key, as GetKeyLastUsage reports it.
type Use struct {
	EventID   string
	RequestID string
	Operation string
	Time      time.Time
}

// LastUse returns the newest successful event on keyARN whose eventName is one of operations,
// or nil when there is none. A ReEncrypt counts for both its source and destination key.
func (s *Store) LastUse(ctx context.Context, keyARN string, operations []string) (*Use, error) {
	if len(operations) == 0 {
		return nil, nil
	}
	args := []any{keyARN, keyARN}
	marks := make([]string, len(operations))
	for i, op := range operations {
		marks[i] = "?"
		args = append(args, op)
	}
	row := s.db.QueryRowContext(ctx, `SELECT eventID, coalesce(requestID, ''), eventName, eventTime FROM events
		WHERE (keyArn = ? OR (eventName = 'ReEncrypt' AND position(? IN record::VARCHAR) > 0)) AND errorCode IS NULL AND eventName IN (`+strings.Join(marks, ", ")+`)
		ORDER BY eventTime DESC, eventID DESC LIMIT 1`, args...)
	var u Use
	if err := row.Scan(&u.EventID, &u.RequestID, &u.Operation, &u.Time); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, wrapError(err)
	}
	u.Time = u.Time.UTC()
	return &u, nil
}
