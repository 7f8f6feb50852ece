package bolt

// SetAfterSync installs a hook that runs after each commit is synced, before its appends are answered.
func SetAfterSync(o *Options, fn func(events int)) { o.afterSync = fn }

// SetFlushAt makes the store write its index tail into the buckets every n entries.
func SetFlushAt(o *Options, n int) { o.flushAt = n }
