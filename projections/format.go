package projections

import (
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
)

// Words is words.Phrase: an identifier as recorded ("head-of-hr") in words for people ("head of HR").
//
// Deprecated: use words.Phrase, the one home of the ledger's English.
func Words(id string) string { return words.Phrase(id) }

// RoleWords is words.Role: "chief_finance_officer" → "chief finance officer (s151)".
//
// Deprecated: use words.Role.
func RoleWords(role string) string { return words.Role(domain.StatutoryRole(role)) }

// PostWords is words.Post: a post and the statutory role that comes with it, each said once.
//
// Deprecated: use words.Post.
func PostWords(post, role string) string { return words.Post(post, domain.StatutoryRole(role)) }

// JoinAnd is words.JoinAnd: "a", "a and b", "a, b and c".
//
// Deprecated: use words.JoinAnd.
func JoinAnd(items []string) string { return words.JoinAnd(items) }
