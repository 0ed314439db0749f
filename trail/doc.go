// Package trail records, stores and queries CloudTrail-shaped events in DuckDB.
package trail
