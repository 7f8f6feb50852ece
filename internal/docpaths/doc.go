// Package docpaths holds a repository-wide test: every path to a file of the repository that the Go
// sources (strings and comments), the README, docs/, api/openapi.json and the page templates name
// exists, and none of them points outside the repository (../shared, shared/...): a reader of a
// clone has only the repository. It has no code of its own.
package docpaths
