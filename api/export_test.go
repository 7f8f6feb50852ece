package api

// RouteOf is one operation of the route table, for the tests of package api_test.
type RouteOf struct {
	Method, Path string
	Query        []string
}

// RouteTable is the server's route table (routes.go): each operation's method, path and query
// parameters.
func RouteTable() []RouteOf {
	var out []RouteOf
	for _, r := range (&server{}).table() {
		out = append(out, RouteOf{Method: r.method, Path: r.path, Query: r.query})
	}
	return out
}
