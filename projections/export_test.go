package projections

import "time"

// KnownAtLimit exposes the inclusive recorded_at limit of a time-valued KnownAt to tests.
func KnownAtLimit(k KnownAt) time.Time { return k.t }
