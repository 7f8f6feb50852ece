package kurrenttest

import (
	"encoding/json"
	"fmt"
	"time"
)

// systemEvent is one event a KurrentDB node writes by itself.
type systemEvent struct {
	stream, eventType string
	data              any
}

// startupEvents are the system events a fresh KurrentDB 24.10 node (insecure, projections off)
// has written to $all before a client connects: the default ACL settings, the two default users,
// the scavenge index's start and the stats stream's metadata. The $epoch-information stream is
// left out: the real server's $all reads and subscriptions do not show it.
func (s *Server) startupEvents() []systemEvent {
	all := map[string]string{"$r": "$all", "$w": "$all", "$d": "$all", "$mr": "$all", "$mw": "$all"}
	admins := map[string]string{"$r": "$admins", "$w": "$admins", "$d": "$admins", "$mr": "$admins", "$mw": "$admins"}
	user := func(login, full string, groups ...string) map[string]any {
		return map[string]any{"loginName": login, "fullName": full, "groups": groups, "disabled": false}
	}
	return []systemEvent{
		{"$settings", "$settings", map[string]any{"$userStreamAcl": all, "$systemStreamAcl": admins}},
		{"$user-admin", "$user", user("admin", "KurrentDB Administrator", "$admins")},
		{"$users", "$UserCreated", "admin"},
		{"$user-ops", "$user", user("ops", "KurrentDB Operations", "$ops")},
		{"$users", "$UserCreated", "ops"},
		{"$$$scavenges", "$metadata", map[string]any{"$maxAge": 2592000}},
		{"$scavenges", "$scavengeIndexInitialized", map[string]any{}},
		{"$$" + s.statsStream(), "$metadata", map[string]any{"$maxAge": 86400}},
	}
}

// statsStream is the stream a node writes its statistics to.
func (s *Server) statsStream() string { return fmt.Sprintf("$stats-%s:%d", s.host, s.port) }

// writeSystem appends system events to the log as the node itself would. The caller holds s.mu.
func (s *Server) writeSystem(evs []systemEvent) {
	for _, ev := range evs {
		data, _ := json.Marshal(ev.data) // plain maps and strings always marshal
		id := newID()
		rec := &record{stream: ev.stream, most: id[0], least: id[1], eventType: ev.eventType, json: true,
			data: data, meta: []byte{}, created: s.opts.Now()}
		s.db.write(rec, false)
		s.publish(rec)
	}
}

// CollectStats writes one $statsCollected event to the node's $stats-HOST:PORT stream now, as a
// real node does every 30 s (Options.StatsInterval does it on a timer). Tests use it to put system
// events between their own.
func (s *Server) CollectStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeSystem([]systemEvent{{s.statsStream(), "$statsCollected", map[string]any{
		"proc-startTime":                       s.started.UTC().Format(time.RFC3339Nano),
		"proc-id":                              1,
		"proc-threadsCount":                    32,
		"es-queue-Storage Writer Queue-length": 0,
	}}})
}

// collectStats writes statistics every interval until done is closed.
func (s *Server) collectStats(interval time.Duration, done <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			s.CollectStats()
		}
	}
}
